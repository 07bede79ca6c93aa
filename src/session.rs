//! The signed-in user's session, shared with every page and component through Leptos
//! context (`provide_context` in [`crate::app::App`], [`use_session`] where needed), as
//! Leptos's own examples share state. Made once at start, outside any page, so that no
//! page owns (and, on leaving, disposes) it; mirrored in the local store.

use hoptac_core::model::LoginResponse;
use leptos::prelude::*;

#[derive(Clone, Copy)]
pub struct Session {
    /// The signed-in user's session; None when signed out.
    pub user: RwSignal<Option<LoginResponse>>,
    /// False until the session was read from the store at start.
    pub loaded: RwSignal<bool>,
}

impl Session {
    pub fn new() -> Session {
        Session {
            user: RwSignal::new(None),
            loaded: RwSignal::new(false),
        }
    }

    /// The session token, or "" when signed out (read without tracking).
    /// The signed-in user's token, tracked (a loader that reads it loads again when the
    /// user signs in again); None when no one is signed in.
    pub fn signed_in_token(&self) -> Option<String> {
        self.user.with(|s| s.as_ref().map(|s| s.token.clone()))
    }

    pub fn token(&self) -> String {
        self.user
            .with_untracked(|s| s.as_ref().map(|s| s.token.clone()))
            .unwrap_or_default()
    }
}

impl Default for Session {
    fn default() -> Self {
        Session::new()
    }
}

/// The session, from context (inside the app's components).
pub fn use_session() -> Session {
    expect_context::<Session>()
}
