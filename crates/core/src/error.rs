//! Stable error codes. The server sends `{ "code": "...", "message": "..." }`; the app
//! shows its own translation for a code it knows and the server's message otherwise.

use crate::i18n::Msg;
use serde::{Deserialize, Serialize};

crate::keyed_enum!(
    pub enum ErrorCode {
        /// The request body or query is malformed (not JSON, wrong field types...).
        BadRequest = "bad_request",
        /// A record failed validation; `fields` in the error says which.
        Invalid = "invalid",
        /// No token, or a token that is unknown or expired.
        Unauthenticated = "unauthenticated",
        /// Wrong user name or password.
        BadCredentials = "bad_credentials",
        /// Too many login attempts.
        RateLimited = "rate_limited",
        /// The user may not do this or see this (role or area scope).
        Forbidden = "forbidden",
        NotFound = "not_found",
        /// A push skipped mutation ids (the client must send from last applied + 1).
        MutationGap = "mutation_gap",
        /// A push names a client id owned by another user.
        ClientMismatch = "client_mismatch",
        PayloadTooLarge = "payload_too_large",
        /// A pull cursor this server never issued (its database was restored from a
        /// backup): pull again from cursor 0, keeping the outbox.
        CursorUnknown = "cursor_unknown",
        /// Another change to the same records held them too long (PostgreSQL deadlock or
        /// serialization failure after retries): nothing was applied; try again.
        Busy = "busy",
        /// A store the server writes to cannot take the change now: the photo store or
        /// the database's disk is full, the S3 store does not answer, PostgreSQL has no
        /// free connection or is restarting. Nothing was kept; the tablet keeps the work
        /// and sends it again later (503 with Retry-After).
        Unavailable = "unavailable",
        /// The account signs in with a temporary password: change it first
        /// (`POST /api/me/password`).
        PasswordChangeRequired = "password_change_required",
        /// The account was deactivated by an administrator.
        AccountDeactivated = "account_deactivated",
        Internal = "internal",
    }
);

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        crate::keyed::Keyed::key(self)
    }

    /// What the user reads, in both languages, for this code.
    pub fn user_message(self) -> Msg {
        match self {
            ErrorCode::BadRequest => Msg::new(
                "Yêu cầu không hợp lệ. Hãy cập nhật ứng dụng và thử lại.",
                "The request was malformed. Update the app and try again.",
            ),
            ErrorCode::Invalid => Msg::new(
                "Dữ liệu chưa hợp lệ. Hãy sửa các ô được đánh dấu.",
                "Some data is not valid. Fix the marked fields.",
            ),
            ErrorCode::Unauthenticated => Msg::new(
                "Phiên đăng nhập đã hết hạn. Hãy đăng nhập lại khi có mạng; dữ liệu chưa gửi vẫn được giữ.",
                "Your session has expired. Sign in again when online; unsent work is kept.",
            ),
            ErrorCode::BadCredentials => Msg::new(
                "Sai tên đăng nhập hoặc mật khẩu.",
                "Wrong user name or password.",
            ),
            ErrorCode::RateLimited => Msg::new(
                "Đăng nhập sai quá nhiều lần. Hãy đợi một phút rồi thử lại.",
                "Too many failed sign-ins. Wait a minute and try again.",
            ),
            ErrorCode::Forbidden => Msg::new(
                "Bạn không có quyền với địa bàn hoặc thao tác này.",
                "You do not have access to this area or action.",
            ),
            ErrorCode::NotFound => Msg::new("Không tìm thấy.", "Not found."),
            ErrorCode::MutationGap => Msg::new(
                "Thiếu thay đổi trong hàng đợi đồng bộ; ứng dụng sẽ gửi lại từ đầu.",
                "Changes are missing from the sync queue; the app will resend them.",
            ),
            ErrorCode::ClientMismatch => Msg::new(
                "Máy này đang đăng nhập bằng tài khoản khác. Hãy đồng bộ rồi đăng nhập lại.",
                "This device belongs to another account's session. Sync, then sign in again.",
            ),
            ErrorCode::PayloadTooLarge => Msg::new(
                "Dữ liệu gửi quá lớn.",
                "The data sent is too large.",
            ),
            ErrorCode::CursorUnknown => Msg::new(
                "Máy chủ đã được khôi phục từ bản sao lưu. Ứng dụng đang tải lại dữ liệu; công việc chưa gửi vẫn được giữ.",
                "The server was restored from a backup. The app is loading the data again; unsent work is kept.",
            ),
            ErrorCode::Busy => Msg::new(
                "Máy chủ đang bận với cùng dữ liệu. Ứng dụng sẽ tự thử lại.",
                "The server is busy with the same records. The app will try again.",
            ),
            ErrorCode::Unavailable => Msg::new(
                "Máy chủ tạm thời không lưu được dữ liệu (kho lưu trữ đầy hoặc không kết nối được). Công việc vẫn được giữ trên máy và sẽ tự gửi lại sau.",
                "The server cannot store data for now (its storage is full or out of reach). Your work stays on this device and is sent again later.",
            ),
            ErrorCode::PasswordChangeRequired => Msg::new(
                "Bạn đang dùng mật khẩu tạm. Hãy đổi mật khẩu trước khi tiếp tục.",
                "You are using a temporary password. Change it before going on.",
            ),
            ErrorCode::AccountDeactivated => crate::accounts::deactivated_message(),
            ErrorCode::Internal => Msg::new(
                "Máy chủ gặp lỗi. Dữ liệu của bạn vẫn an toàn trên máy; hãy thử lại sau.",
                "The server had an error. Your data is safe on this device; try again later.",
            ),
        }
    }
}

/// The JSON body of every API error.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApiErrorBody {
    pub code: ErrorCode,
    pub message: String,
    /// Field-level validation messages, when `code` is `invalid`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<crate::validate::FieldError>,
}
