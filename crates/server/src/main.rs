//! `hoptac-server`: serves the built app and the API. See `--help`.

use clap::Parser;
use hoptac_server::{
    app, demo,
    storage::{redact_url, Db},
    AppState,
};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(
    name = "hoptac-server",
    version,
    about = "The hoptac server: the built app and its /api"
)]
struct Args {
    /// Database URL: sqlite://PATH (created if missing).
    /// (It may hold a password: --help never prints the value set in the environment.)
    #[arg(
        long,
        env = "HOPTAC_DB",
        hide_env_values = true,
        default_value = "sqlite://data/hoptac.db",
        global = true
    )]
    db: String,
    /// Address and port to listen on.
    #[arg(long, env = "HOPTAC_LISTEN", default_value = "127.0.0.1:8080")]
    listen: String,
    /// Folder of the built app (Trunk's dist/). Default: ./dist when it exists.
    #[arg(long, env = "HOPTAC_STATIC_DIR")]
    static_dir: Option<PathBuf>,
    /// Load the demo into an empty database and print the demo accounts: today's Ninh Bình
    /// with its official units, the seed's cooperatives in the former communes with
    /// reports of 2021 and 2024-H2, the 1 July 2025 reform as published applied, and
    /// reports of 2025-H2 and 2026-H1 in the new communes and wards.
    #[arg(long, env = "HOPTAC_DEMO")]
    demo: bool,
    /// Where photos are kept: a directory, or s3://BUCKET for an S3-compatible store
    /// (endpoint and keys from AWS_ENDPOINT, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
    /// AWS_REGION; AWS_ALLOW_HTTP=true for plain http). Default: the folder "photos"
    /// next to the SQLite file, or ./data/photos with PostgreSQL.
    #[arg(long, env = "HOPTAC_PHOTOS")]
    photos: Option<String>,
    /// Load the seed alone (2021 areas, cooperatives, accounts; no reports, no
    /// reorganisation): what the tests start from.
    #[arg(long, env = "HOPTAC_DEMO_SEED", conflicts_with = "demo")]
    demo_seed: bool,
    /// Database connections this instance keeps open at most (1 to 200). Default: 4 for
    /// SQLite (one writer at a time anyway), 10 for PostgreSQL. With several instances on
    /// one PostgreSQL keep their sum under its `max_connections` (100 by default).
    #[arg(long, env = "HOPTAC_DB_POOL", value_parser = clap::value_parser!(u32).range(1..=200))]
    db_pool: Option<u32>,
    /// Proxies in front of this server whose X-Forwarded-For is believed, comma-separated
    /// (for example 127.0.0.1 for nginx on the same machine): the sign-in brake then counts
    /// the client's address, not the proxy's.
    #[arg(long, env = "HOPTAC_TRUSTED_PROXIES", default_value = "")]
    trusted_proxies: String,
    /// How the log is written: "text" for people, "json" (one object per line) for a log
    /// collector.
    #[arg(
        long,
        env = "HOPTAC_LOG_FORMAT",
        value_enum,
        default_value = "text",
        global = true
    )]
    log_format: LogFormat,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug)]
enum LogFormat {
    Text,
    Json,
}

#[derive(clap::Subcommand, Debug)]
enum Command {
    /// Manage accounts from the command line (the first administrator).
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Fill an EMPTY database with a national-size dataset for benchmarks (--national):
    /// 34 provinces, 3,321 communes, 100,000 cooperatives, 3,000 officers, 1,000,000 visit
    /// reports over five years (--scale shrinks it). Every account's password is
    /// "hoptac-quocgia". Then start the server on it as usual.
    ///
    /// Example: hoptac-server --db postgres://hoptac@localhost/national demo --national
    Demo {
        /// The national dataset (the province's demo is `--demo` when starting).
        #[arg(long)]
        national: bool,
        /// A fraction of it: 0.01 makes 1,000 cooperatives and 10,000 reports.
        #[arg(long, default_value_t = 1.0)]
        scale: f64,
    },
    /// Write a consistent copy of the database to FILE while the server runs: SQLite's
    /// VACUUM INTO, or pg_dump's custom format for PostgreSQL. Photos are not in it: copy
    /// the photo folder too (docs/DEPLOY.md).
    ///
    /// Example: hoptac-server --db sqlite://data/hoptac.db backup backups/2026-12-01.db
    Backup {
        /// The new file (never overwritten).
        file: PathBuf,
    },
    /// Replace the database with a backup (stop the server first), bring it to this
    /// version's schema and give it a new identity, so tablets pull again from the start
    /// and re-send what the backup lacks.
    ///
    /// Example: hoptac-server --db sqlite://data/hoptac.db restore backups/2026-12-01.db
    Restore {
        /// A file written by `backup` for the same kind of database.
        file: PathBuf,
    },
    /// Print the nginx configuration the tests run in front of several instances: round
    /// robin over UPSTREAM ports on 127.0.0.1, plain HTTP on LISTEN, its files under DIR,
    /// /metrics not passed on; run it with `nginx -c FILE -p DIR`. For tests and as a
    /// start: production adds TLS as docs/DEPLOY.md shows.
    ///
    /// Example: hoptac-server nginx-config --listen 8443 --dir /srv/nginx 8081 8082
    NginxConfig {
        #[arg(long)]
        listen: u16,
        #[arg(long)]
        dir: PathBuf,
        /// Run nginx's workers as root (nginx started by root otherwise switches to a
        /// user that may not write DIR).
        #[arg(long)]
        as_root: bool,
        #[arg(required = true)]
        upstreams: Vec<u16>,
    },
}

#[derive(clap::Subcommand, Debug)]
enum AdminCommand {
    /// Create an administrator. The password is read from the terminal (typed twice,
    /// not shown) or, when stdin is not a terminal, from its first line; never from the
    /// command line. The provinces given are loaded from the official units bundled with
    /// the server (since 1 July 2025: each province and its communes, wards and special
    /// zones) when the database lacks them; never demo data.
    ///
    /// Example: hoptac-server --db sqlite://data/hoptac.db admin create --username quantri --province 37
    Create {
        /// The user name to sign in with (letters a–z, digits, '.', '_', '-').
        #[arg(long)]
        username: String,
        /// The name shown in the app (default: the user name).
        #[arg(long, default_value = "")]
        display_name: String,
        /// A province the alliance covers, by its official code since 1 July 2025 (37:
        /// Ninh Bình; 01: Hà Nội; …); repeat it or separate with commas; "all" for a
        /// national alliance. Required on a database without areas.
        #[arg(long = "province")]
        provinces: Vec<String>,
        /// Or the id of an area of the tree the administrator covers.
        #[arg(long)]
        area: Option<String>,
    },
}

/// The password for `admin create`: typed twice at a terminal, else stdin's first line.
fn read_password() -> Result<String, String> {
    use std::io::IsTerminal;
    if std::io::stdin().is_terminal() {
        let first =
            rpassword::prompt_password("Mật khẩu / Password: ").map_err(|e| e.to_string())?;
        let again = rpassword::prompt_password("Nhập lại / Again: ").map_err(|e| e.to_string())?;
        if first != again {
            return Err("the two passwords differ: nothing was created".into());
        }
        Ok(first)
    } else {
        let mut line = String::new();
        std::io::stdin()
            .read_line(&mut line)
            .map_err(|e| e.to_string())?;
        Ok(line.trim_end_matches(['\r', '\n']).to_string())
    }
}

async fn run_command(db_url: &str, command: Command) -> ExitCode {
    match command {
        Command::Demo { national: false, .. } => fail(
            "demo: add --national for the national dataset; the province's demo is `hoptac-server --demo`",
        ),
        Command::Demo {
            national: true,
            scale,
        } => {
            let db = match Db::connect(db_url).await {
                Ok(db) => db,
                Err(e) => return fail(e),
            };
            let started = std::time::Instant::now();
            let last = std::sync::Mutex::new(std::time::Instant::now());
            let done = hoptac_server::national::generate(&db, scale, |what, n, of| {
                let mut l = last.lock().unwrap_or_else(|e| e.into_inner());
                if n == of || l.elapsed().as_secs() >= 5 {
                    eprintln!("  {what}: {n} / {of}");
                    *l = std::time::Instant::now();
                }
            })
            .await;
            db.pool.close().await;
            match done {
                Ok(s) => {
                    println!(
                        "Đã tạo dữ liệu toàn quốc / national dataset: {} provinces, {} communes, {} cooperatives, {} officers, {} reports in {:.0} s",
                        s.provinces, s.communes, s.cooperatives, s.officers, s.reports,
                        started.elapsed().as_secs_f64()
                    );
                    println!("  Accounts: canbo.0000 … canbo.{:04}, giamsat.<province> (giamsat.hn, giamsat.hcm, …), giamsat.quocgia, quantri.quocgia; password {}", s.officers - 1, hoptac_server::national::PASSWORD);
                    ExitCode::SUCCESS
                }
                Err(e) => fail(e),
            }
        }
        Command::NginxConfig {
            listen,
            dir,
            as_root,
            upstreams,
        } => {
            print!(
                "{}",
                hoptac_server::ops::nginx_config(&dir, listen, &upstreams, as_root)
            );
            ExitCode::SUCCESS
        }
        Command::Backup { file } => match hoptac_server::ops::backup(db_url, &file).await {
            Ok(()) => {
                println!(
                    "Đã sao lưu / backup written: {} ({} bytes)",
                    file.display(),
                    std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0)
                );
                ExitCode::SUCCESS
            }
            Err(e) => fail(format!("backup failed, nothing written: {e}")),
        },
        Command::Restore { file } => match hoptac_server::ops::restore(db_url, &file).await {
            Ok(()) => {
                println!(
                    "Đã khôi phục / restored from {}: the database has a new identity; tablets will pull again and re-send what it lacks.",
                    file.display()
                );
                ExitCode::SUCCESS
            }
            Err(e) => fail(format!("restore failed: {e}")),
        },
        Command::Admin(AdminCommand::Create {
            username,
            display_name,
            provinces,
            area,
        }) => {
            let password = match read_password() {
                Ok(p) => p,
                Err(e) => return fail(e),
            };
            let db = match Db::connect(db_url).await {
                Ok(db) => db,
                Err(e) => return fail(e),
            };
            let made = hoptac_server::rules::users::create_first_admin(
                &db,
                &hoptac_server::rules::users::FirstAdmin {
                    username: username.clone(),
                    display_name,
                    password,
                    provinces,
                    area,
                },
            )
            .await;
            db.pool.close().await;
            match made {
                Ok((_, notes)) => {
                    println!(
                        "Đã tạo quản trị viên / administrator created: {}",
                        username.trim().to_lowercase()
                    );
                    for n in notes {
                        println!("  {n}");
                    }
                    println!("  Sign in at the server's address with this user name and password.");
                    ExitCode::SUCCESS
                }
                Err(e) => fail(e),
            }
        }
    }
}

fn fail(msg: impl std::fmt::Display) -> ExitCode {
    eprintln!("hoptac-server: {msg}");
    ExitCode::from(2)
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| "info,sqlx=warn,tower_http=info".into());
    match args.log_format {
        LogFormat::Text => tracing_subscriber::fmt().with_env_filter(filter).init(),
        // One JSON object per line (time, level, target, fields, span), for a log collector.
        LogFormat::Json => tracing_subscriber::fmt()
            .json()
            .with_current_span(true)
            .with_env_filter(filter)
            .init(),
    }
    if let Some(command) = args.command {
        return run_command(&args.db, command).await;
    }

    // Signal handlers first: a Ctrl-C or SIGTERM that arrives as soon as the port opens
    // must stop the server cleanly, not kill it.
    #[cfg(unix)]
    let signals = {
        use tokio::signal::unix::{signal, SignalKind};
        match (
            signal(SignalKind::interrupt()),
            signal(SignalKind::terminate()),
        ) {
            (Ok(i), Ok(t)) => (i, t),
            _ => return fail("cannot install the signal handlers"),
        }
    };

    let addr: SocketAddr = match args.listen.parse() {
        Ok(a) => a,
        Err(_) => {
            return fail(format!(
                "--listen {:?} is not an address: use HOST:PORT, for example 127.0.0.1:8080",
                args.listen
            ))
        }
    };
    let static_dir = match args.static_dir {
        Some(dir) if !dir.join("index.html").is_file() => {
            return fail(format!("--static-dir {}: no index.html there; build the app first (make build) or point to Trunk's dist folder", dir.display()))
        }
        Some(dir) => Some(dir),
        None => Some(PathBuf::from("dist")).filter(|d| d.join("index.html").is_file()),
    };
    if static_dir.is_none() {
        tracing::warn!("no built app found (./dist): serving the API only; run `make run` to build and serve the app");
    }

    let db = match Db::connect_with(&args.db, args.db_pool).await {
        Ok(db) => db,
        Err(e) => return fail(e),
    };
    if args.demo {
        match demo::today::load(&db).await {
            Ok(Some(d)) => tracing::info!(
                reports = d.reports,
                moved = d.moved,
                "demo loaded: today's Ninh Bình with its history"
            ),
            Ok(None) => {}
            Err(e) => return fail(format!("cannot load the demo: {e}")),
        }
    } else if args.demo_seed {
        match demo::load_if_empty(&db).await {
            Ok(true) => tracing::info!("demo seed loaded"),
            Ok(false) => {}
            Err(e) => return fail(format!("cannot load demo data: {e}")),
        }
    }
    let listener = match tokio::net::TcpListener::bind(addr).await {
        Ok(l) => l,
        Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => {
            return fail(format!("{addr} is already in use: stop the program using it, or choose another with --listen (for example --listen 127.0.0.1:8081)"))
        }
        Err(e) => return fail(format!("cannot listen on {addr}: {e}; choose another address with --listen")),
    };
    let photos_at = args
        .photos
        .clone()
        .unwrap_or_else(|| default_photos_dir(&args.db));
    let photos = match hoptac_server::photos::PhotoStore::open(&photos_at) {
        Ok(p) => p,
        Err(e) => {
            return fail(format!(
                "cannot open the photo store: {e}; choose one with --photos"
            ))
        }
    };
    tracing::info!(store = %photos.described, "photos");
    let trusted = match hoptac_server::parse_addresses(&args.trusted_proxies) {
        Ok(t) => t,
        Err(e) => return fail(format!("--trusted-proxies: {e}")),
    };
    let mut state = AppState::new(db, photos);
    state.trusted_proxies = std::sync::Arc::new(trusted);
    hoptac_server::spawn_sweeps(&state);
    let router = app(state.clone(), static_dir);

    println!();
    println!(
        "  hoptac is running at http://{addr}/   ({} database: {})",
        state.db.kind.name(),
        redact_url(&args.db)
    );
    if args.demo || args.demo_seed {
        println!("  Demo accounts (tài khoản thử):");
        for a in demo::accounts_now(&state.db)
            .await
            .unwrap_or_else(|_| demo::accounts())
        {
            println!(
                "    {:<16} password {:<16} {:<10} {} — {}",
                a.username,
                a.password,
                a.role,
                a.display_name,
                a.areas.join(", ")
            );
        }
    }
    println!("  Press Ctrl-C to stop.");
    println!();

    let shutdown = async move {
        #[cfg(unix)]
        {
            let (mut int, mut term) = signals;
            tokio::select! { _ = int.recv() => {}, _ = term.recv() => {} }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
        tracing::info!("stopping: finishing requests in flight");
    };
    // Connection info: the sign-in brake counts failures per client address too.
    let service = router.into_make_service_with_connect_info::<SocketAddr>();
    if let Err(e) = axum::serve(listener, service)
        .with_graceful_shutdown(shutdown)
        .await
    {
        return fail(format!("server error: {e}"));
    }
    state.db.pool.close().await;
    tracing::info!("stopped");
    ExitCode::SUCCESS
}

/// The photos' folder when none is given: "photos" beside the SQLite file, or
/// ./data/photos.
fn default_photos_dir(db: &str) -> String {
    db.strip_prefix("sqlite://")
        .map(|p| p.split('?').next().unwrap_or(p))
        .and_then(|p| std::path::Path::new(p).parent())
        .map(|dir| dir.join("photos"))
        .unwrap_or_else(|| std::path::PathBuf::from("data/photos"))
        .display()
        .to_string()
}
