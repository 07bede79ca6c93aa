//! The OpenAPI document served at `/api/openapi.json`. A test checks that every route
//! the server answers is listed here.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

struct Bearer;

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
        crate::http::auth::login,
        crate::http::auth::logout,
        crate::http::auth::me,
        crate::http::sync::push,
        crate::http::sync::pull,
        crate::http::visits::list,
        crate::http::users::set_areas,
        crate::http::review::decision,
        crate::http::review::detail,
        crate::http::review::audit,
        crate::http::six_month::review,
        crate::http::six_month::export,
        crate::http::six_month::set_targets,
        crate::http::export::visits,
    ),
    modifiers(&Bearer)
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
