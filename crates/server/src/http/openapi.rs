//! The OpenAPI document served at `/api/openapi.json`. A test checks that every route
//! the server answers is listed here.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

struct Bearer;

/// The errors any operation may answer, added to every operation that does not list them:
/// 400 (a malformed body, query or path, or a control character in the address), 422 (a
/// field not valid, text holding a control character), 401 for operations that need a
/// session, 413 for those with a body. A fuzz run (scripts/fuzz-api.sh) checks every
/// answer against this document.
struct CommonErrors;

impl Modify for CommonErrors {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
        let error = |what: &str| {
            ResponseBuilder::new()
                .description(what)
                .content(
                    "application/json",
                    ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name("ApiErrorBody")))
                        .build(),
                )
                .build()
        };
        for item in doc.paths.paths.values_mut() {
            let ops = [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ];
            for op in ops.into_iter().flatten() {
                let secured = op.security.as_ref().is_some_and(|s| !s.is_empty());
                let has_body = op.request_body.is_some();
                let r = &mut op.responses.responses;
                let mut add = |code: &str, what: &str| {
                    r.entry(code.to_string())
                        .or_insert_with(|| error(what).into());
                };
                add("400", "bad_request: the body, query or path is malformed");
                add("422", "invalid: a field is not valid (see `fields`)");
                if secured {
                    add(
                        "401",
                        "unauthenticated: no session, or an expired or revoked one",
                    );
                }
                if has_body {
                    add("413", "payload_too_large: the body is over the limit");
                }
            }
        }
    }
}

impl Modify for Bearer {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "hoptac API", description = "Sync and review API of hoptac, the cooperative field app"),
    paths(
        crate::http::health,
        crate::http::ready,
        crate::http::auth::login,
        crate::http::auth::logout,
        crate::http::auth::me,
        crate::http::sync::push,
        crate::http::sync::pull,
        crate::http::visits::list,
        crate::http::visits::officers,
        crate::http::auth::change_password,
        crate::http::users::set_areas,
        crate::http::users::list,
        crate::http::users::create,
        crate::http::users::reset_password,
        crate::http::users::deactivate,
        crate::http::users::reactivate,
        crate::http::areas::areas,
        crate::http::areas::add_area,
        crate::http::areas::change_area,
        crate::http::areas::import,
        crate::http::areas::load_official,
        crate::http::reference::list,
        crate::http::reference::add,
        crate::http::reference::update,
        crate::http::reorg::reorganise,
        crate::http::reorg::official_2025,
        crate::http::reorg::from_table,
        crate::http::registry::import,
        crate::http::registry::export,
        crate::http::cooperatives::duplicates,
        crate::http::cooperatives::dismiss,
        crate::http::cooperatives::merge,
        crate::http::cooperatives::move_cooperative,
        crate::http::visits::decisions::decision,
        crate::http::visits::decisions::detail,
        crate::http::audit::audit,
        crate::http::six_month::review,
        crate::http::six_month::periods,
        crate::http::six_month::export,
        crate::http::six_month::records,
        crate::http::six_month::set_targets,
        crate::http::visits::export::visits,
        crate::http::photos::upload,
        crate::http::photos::upload_piece,
        crate::http::photos::status,
        crate::http::photos::fetch,
    ),
    modifiers(&Bearer, &CommonErrors)
)]
struct ApiDoc;

pub fn document() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    doc.paths.paths.insert(
        "/api/openapi.json".into(),
        utoipa::openapi::path::PathItem::new(
            utoipa::openapi::HttpMethod::Get,
            utoipa::openapi::path::OperationBuilder::new()
                .summary(Some("This document"))
                .response(
                    "200",
                    utoipa::openapi::ResponseBuilder::new().description("OpenAPI 3.1 JSON"),
                ),
        ),
    );
    doc
}
