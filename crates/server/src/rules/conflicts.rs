//! A conflict's resolution (the `resolve_conflict` mutation): the officer or a supervisor
//! chooses which value stays.

use super::cooperatives::{no_cooperative, store as store_cooperative, store_conflict};
use super::{outside_scope, refuse, standing_for, Applied};
use crate::storage::{self, now_ms, Who, WriteTx};
use hoptac_core::error::ErrorCode;
use hoptac_core::merge::{resolve as resolved_record, Choice, Resolution};
use hoptac_core::model::{Cooperative, UserInfo};

/// The first choice wins; the same choice again is a no-op; a different later choice is
/// refused, naming who chose first. Who chose and when are the server's.
pub async fn resolve(
    tx: &mut WriteTx<'_>,
    user: &UserInfo,
    client_id: &str,
    written_at: hoptac_core::model::Millis,
    conflict_id: &str,
    choice: Choice,
) -> Applied {
    let Some(mut conflict) = storage::conflicts::lock(tx, conflict_id).await? else {
        return Err(outside_scope());
    };
    if standing_for(
        tx,
        user,
        &conflict.cooperative_id,
        &conflict.area_path,
        written_at,
    )
    .await?
    .is_none()
    {
        return Err(outside_scope());
    }
    if let Some(r) = &conflict.resolution {
        return if r.choice == choice {
            Ok(())
        } else {
            Err(refuse(
                ErrorCode::Invalid,
                format!("Xung đột này đã được {} giải quyết.", r.by_name),
                format!("{} already resolved this conflict.", r.by_name),
            ))
        };
    }
    let Some(current) = storage::cooperatives::lock(tx, &conflict.cooperative_id).await? else {
        return Err(no_cooperative());
    };
    let who = Who {
        id: &user.id,
        name: &user.display_name,
        client_id: Some(client_id),
    };
    let resolved = resolved_record(&conflict, &current, choice);
    if resolved != current {
        let stored = Cooperative {
            version: current.version + 1,
            ..resolved
        };
        store_cooperative(tx, who, "resolve", &current, &stored).await?;
    }
    let before = conflict.clone();
    conflict.resolution = Some(Resolution {
        choice,
        by_id: user.id.clone(),
        by_name: user.display_name.clone(),
        at: now_ms(),
    });
    store_conflict(tx, who, Some(&before), &conflict).await
}
