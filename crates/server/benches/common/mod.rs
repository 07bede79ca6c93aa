//! What more than one bench does the same way (included as `mod common;`; not a bench).

/// Signs `username` in through the real API of the server at `base`
/// ("http://127.0.0.1:PORT") and returns the session's bearer token. Panics when the
/// server does not answer with one: a bench has no way on without it.
pub async fn login(http: &reqwest::Client, base: &str, username: &str, password: &str) -> String {
    let r: serde_json::Value = http
        .post(format!("{base}/api/auth/login"))
        .json(&serde_json::json!({"username": username, "password": password}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    r["token"].as_str().unwrap().to_string()
}
