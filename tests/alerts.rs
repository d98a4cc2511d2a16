//! Alerts end to end: `adkeep alerts` and `adkeep watch --once` against the
//! Graph double, delivering to real receivers on loopback (Slack, Teams and
//! webhook stand-ins, an SMTP server). Accounts break and recover across
//! checks; each state is told once; a destination that is down gets
//! everything later under the delivery id it already saw; a process killed
//! between writing and sending loses nothing.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

#[path = "alerts/receivers.rs"]
mod receivers;

use std::path::Path;
use std::time::Duration;

use graph_double::{DoubleConfig, GraphDouble};
use hmac_check::verify;
use receivers::{Answer, Receivers, SmtpServer};
use serde_json::Value;

const SECRET: &str = "a-signing-secret-for-tests";

struct Output {
    status: i32,
    stdout: String,
    stderr: String,
}

/// Everything a test needs: the double, the receivers, a data folder.
struct World {
    double: GraphDouble,
    token: String,
    receivers: Receivers,
    smtp: SmtpServer,
    data: tempfile::TempDir,
}

impl World {
    /// `accounts` healthy accounts (active, no cap, no prepaid funds).
    async fn start(accounts: usize) -> Self {
        let double = GraphDouble::start(DoubleConfig::generated(accounts, 1))
            .await
            .unwrap();
        double.world(|w| {
            for a in w.accounts.values_mut() {
                a.account_status = 1;
                a.disable_reason = 0;
                a.spend_cap = 0;
                a.prepaid = None;
            }
        });
        let token = double.issue_token();
        Self {
            token,
            double,
            receivers: Receivers::start().await,
            smtp: SmtpServer::start().await,
            data: tempfile::tempdir().unwrap(),
        }
    }

    fn command(&self, args: &[&str]) -> tokio::process::Command {
        let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_adkeep"));
        command
            .args(args)
            .env("ADKEEP_GRAPH_URL", self.double.url())
            .env("ADKEEP_FACEBOOK_URL", self.double.url())
            .env("ADKEEP_ACCESS_TOKEN", &self.token)
            .env("ADKEEP_DATA_DIR", self.data.path())
            .env("SLACK_URL", self.receivers.url("slack"))
            .env("TEAMS_URL", self.receivers.url("teams"))
            .env("HOOK_SECRET", SECRET)
            .env_remove("DISPLAY")
            .env_remove("DBUS_SESSION_BUS_ADDRESS")
            .kill_on_drop(true);
        command
    }

    async fn run(&self, args: &[&str]) -> Output {
        let out = self.command(args).output().await.expect("adkeep runs");
        Output {
            status: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    async fn add(&self, args: &[&str]) -> String {
        let mut all = vec!["alerts", "add"];
        all.extend_from_slice(args);
        let out = self.run(&all).await;
        assert_eq!(out.status, 0, "{args:?}: {}", out.stderr);
        out.stdout
            .split_whitespace()
            .nth(2)
            .unwrap()
            .trim_end_matches('.')
            .to_owned()
    }

    /// Slack, Teams, a signed webhook and e-mail, every one at the defaults.
    async fn add_all_four(&self) {
        let hook = self.receivers.url("hook");
        let smtp = format!("smtp://127.0.0.1:{}", self.smtp.port);
        self.add(&["slack", "--url-env", "SLACK_URL"]).await;
        self.add(&["teams", "--url-env", "TEAMS_URL"]).await;
        self.add(&["webhook", &hook, "--secret-env", "HOOK_SECRET"])
            .await;
        self.add(&[
            "email",
            "--smtp",
            &smtp,
            "--to",
            "ops@example.com,lead@example.com",
        ])
        .await;
    }

    async fn check(&self) -> Output {
        self.run(&["watch", "--once"]).await
    }

    fn set_status(&self, index: usize, status: u32) -> (String, String) {
        self.double.world(|w| {
            let a = w.accounts.values_mut().nth(index).unwrap();
            a.account_status = status;
            (format!("act_{}", a.id), a.name.clone())
        })
    }

    fn rename(&self, index: usize, name: &str) {
        self.double
            .world(|w| w.accounts.values_mut().nth(index).unwrap().name = name.to_owned());
    }
}

/// A webhook body checked as a receiver must: the signature over the raw bytes first.
fn hook_alerts(received: &receivers::Received) -> Vec<Value> {
    let signature = received.signature.as_deref().expect("signed");
    assert!(
        verify(SECRET.as_bytes(), &received.body, signature),
        "bad signature"
    );
    let body = received.json();
    assert_eq!(body["type"], "adkeep.alerts");
    assert_eq!(body["delivery"].as_str(), received.delivery.as_deref());
    body["alerts"].as_array().unwrap().clone()
}

mod hmac_check {
    /// What a receiver runs (docs/alerts.md), in Rust.
    pub fn verify(secret: &[u8], body: &[u8], header: &str) -> bool {
        use sha2_check::hmac_sha256_hex;
        let expected = format!("sha256={}", hmac_sha256_hex(secret, body));
        expected.len() == header.len()
            && expected
                .bytes()
                .zip(header.bytes())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0
    }

    mod sha2_check {
        /// HMAC-SHA256 (RFC 2104) over the workspace's sha2, independent of Adkeep's own.
        pub fn hmac_sha256_hex(key: &[u8], message: &[u8]) -> String {
            use sha2::{Digest, Sha256};
            let mut block = [0u8; 64];
            if key.len() > 64 {
                block[..32].copy_from_slice(&Sha256::digest(key));
            } else {
                block[..key.len()].copy_from_slice(key);
            }
            let pad = |byte: u8| block.iter().map(|b| b ^ byte).collect::<Vec<u8>>();
            let inner = Sha256::new()
                .chain_update(pad(0x36))
                .chain_update(message)
                .finalize();
            let outer = Sha256::new()
                .chain_update(pad(0x5c))
                .chain_update(inner)
                .finalize();
            outer.iter().map(|b| format!("{b:02x}")).collect()
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn accounts_break_and_recover_and_each_state_is_told_once_everywhere() {
    let world = World::start(6).await;
    world.add_all_four().await;
    let healthy = world.check().await;
    assert_eq!(healthy.status, 0, "{}", healthy.stderr);
    assert!(
        world.receivers.received("hook").is_empty(),
        "nothing wrong, nothing said"
    );
    let (id, name) = world.set_status(2, 2);
    let broke = world.check().await;
    assert_eq!(broke.status, 0, "{}", broke.stderr);
    let hook = world.receivers.received("hook");
    assert_eq!(hook.len(), 1);
    let alerts = hook_alerts(&hook[0]);
    assert_eq!(alerts.len(), 1, "{alerts:?}");
    assert_eq!(alerts[0]["account_id"], id.as_str());
    assert_eq!(alerts[0]["account_name"], name.as_str());
    assert_eq!(alerts[0]["state"], "new");
    assert_eq!(alerts[0]["severity"], "blocking");
    assert_eq!(alerts[0]["reason"], "account_disabled");
    assert_eq!(alerts[0]["action"], "Request a review in Account Quality");
    let slack = world.receivers.received("slack");
    assert_eq!(slack.len(), 1);
    let text = slack[0].json()["text"].as_str().unwrap().to_owned();
    assert!(
        text.contains(&id) && text.contains(&name) && text.contains("Blocking"),
        "{text}"
    );
    let teams = world.receivers.received("teams");
    assert_eq!(teams.len(), 1);
    assert_eq!(
        teams[0].json()["attachments"][0]["content"]["type"],
        "AdaptiveCard"
    );
    let mail = world.smtp.messages();
    assert_eq!(mail.len(), 1);
    assert!(mail[0].contains("ops@example.com") && mail[0].contains("lead@example.com"));
    assert!(
        mail[0].contains("Message-ID: <") && mail[0].contains("@adkeep.invalid>"),
        "{}",
        mail[0]
    );

    // The same state again: nothing.
    let again = world.check().await;
    assert_eq!(again.status, 0);
    assert_eq!(world.receivers.received("hook").len(), 1);
    assert_eq!(world.receivers.received("slack").len(), 1);
    assert_eq!(world.smtp.messages().len(), 1);

    // Recovered: resolved, once.
    world.set_status(2, 1);
    assert_eq!(world.check().await.status, 0);
    let hook = world.receivers.received("hook");
    assert_eq!(hook.len(), 2);
    let resolved = hook_alerts(&hook[1]);
    assert_eq!(
        (
            resolved[0]["state"].as_str(),
            resolved[0]["account_id"].as_str()
        ),
        (Some("resolved"), Some(id.as_str()))
    );
    assert_ne!(
        hook[0].delivery, hook[1].delivery,
        "a new delivery for a new message"
    );
    assert_eq!(world.check().await.status, 0);
    assert_eq!(world.receivers.received("hook").len(), 2);
    assert_eq!(world.receivers.received("teams").len(), 2);
    assert_eq!(world.smtp.messages().len(), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_destination_that_is_down_gets_everything_later_under_the_same_id() {
    let world = World::start(4).await;
    let hook = world.receivers.url("hook");
    world
        .add(&["webhook", &hook, "--secret-env", "HOOK_SECRET"])
        .await;
    world.add(&["slack", "--url-env", "SLACK_URL"]).await;
    world
        .receivers
        .script("hook", &[Answer::Status(503), Answer::Status(503)]);
    world.set_status(0, 2);
    let first = world.check().await;
    assert_eq!(first.status, 1, "something is pending: {}", first.stderr);
    assert_eq!(
        world.receivers.received("slack").len(),
        1,
        "a dead destination holds back no other"
    );
    world.set_status(1, 2);
    assert_eq!(world.check().await.status, 1);
    let list: Value =
        serde_json::from_str(&world.run(&["alerts", "list", "--json"]).await.stdout).unwrap();
    let webhook = list
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["kind"] == "webhook")
        .unwrap();
    assert_eq!(webhook["pending"], 2);
    assert!(webhook["failing"].is_null(), "a 503 is not a refusal");
    assert_eq!(
        world.check().await.status,
        0,
        "it answers now: everything goes"
    );
    let tried = world.receivers.received("hook");
    // 503; 503 (the second check's delivery waits behind the first); then both.
    assert_eq!(tried.len(), 4);
    let first_id = tried[0].delivery.clone();
    assert_eq!(tried[1].delivery, first_id, "the retry repeats the id");
    assert_eq!(
        tried[2].delivery, first_id,
        "delivered under the id it already saw"
    );
    assert_eq!(hook_alerts(&tried[2])[0]["state"], "new");
    assert_ne!(tried[3].delivery, first_id);
    assert_eq!(world.check().await.status, 0);
    assert_eq!(world.receivers.received("hook").len(), 4, "nothing doubled");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_slow_down_is_respected_and_a_refusal_marks_the_destination_failing() {
    let world = World::start(3).await;
    let hook = world.receivers.url("hook");
    let slack = world.add(&["slack", "--url-env", "SLACK_URL"]).await;
    world.add(&["webhook", &hook]).await;
    world.receivers.script("hook", &[Answer::SlowDown(3600)]);
    world
        .receivers
        .script("slack", &[Answer::Status(404), Answer::Status(404)]);
    world.set_status(0, 2);
    assert_eq!(world.check().await.status, 1);
    assert_eq!(world.check().await.status, 1);
    assert_eq!(
        world.receivers.received("hook").len(),
        1,
        "Retry-After: not before an hour"
    );
    let doctor = world.run(&["doctor"]).await;
    assert_eq!(doctor.status, 1, "{}", doctor.stdout);
    assert!(
        doctor.stdout.contains("FAILING (answered 404: no_service)"),
        "{}",
        doctor.stdout
    );
    let list: Value =
        serde_json::from_str(&world.run(&["alerts", "list", "--json"]).await.stdout).unwrap();
    let failing = list
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["id"] == slack.as_str())
        .unwrap();
    assert_eq!(failing["failing"], "answered 404: no_service");
    // Fixed: a test message goes, and the kept delivery follows.
    let test = world.run(&["alerts", "test", &slack]).await;
    assert_eq!(test.status, 0, "{}", test.stdout);
    assert_eq!(world.check().await.status, 1, "the webhook still waits");
    let delivered = world.receivers.received("slack");
    assert_eq!(
        delivered.len(),
        4,
        "refused twice, the test, the kept delivery"
    );
    assert_eq!(delivered[3].delivery, delivered[0].delivery);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_kill_between_writing_and_sending_loses_nothing_and_doubles_nothing() {
    let world = World::start(3).await;
    let hook = world.receivers.url("hook");
    world
        .add(&["webhook", &hook, "--secret-env", "HOOK_SECRET"])
        .await;
    world.receivers.script("hook", &[Answer::Hang]);
    world.set_status(0, 2);
    let mut child = world.command(&["watch", "--once"]).spawn().unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while world.receivers.received("hook").is_empty() {
        assert!(
            std::time::Instant::now() < deadline,
            "the delivery never left"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    child.start_kill().unwrap();
    let status = child.wait().await.unwrap();
    assert!(!status.success(), "killed");
    let again = world.check().await;
    assert_eq!(again.status, 0, "{}", again.stderr);
    let tried = world.receivers.received("hook");
    assert_eq!(tried.len(), 2, "once cut off, once delivered");
    assert_eq!(tried[0].delivery, tried[1].delivery);
    let alerts = hook_alerts(&tried[1]);
    assert_eq!(alerts.len(), 1, "decided once: {alerts:?}");
    assert_eq!(world.check().await.status, 0);
    assert_eq!(world.receivers.received("hook").len(), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn hostile_names_are_text_everywhere_and_the_token_goes_nowhere() {
    let world = World::start(2).await;
    world.add_all_four().await;
    let hostile = "<!channel> *Sale* [x](http://evil.example) <script>alert(1)</script>\r\nBcc: all@evil.example";
    world.rename(0, hostile);
    world.set_status(0, 2);
    assert_eq!(world.check().await.status, 0);
    let slack = world.receivers.received("slack")[0].json()["text"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        !slack.contains("<!channel>") && slack.contains("&lt;!channel&gt;"),
        "{slack}"
    );
    let teams = world.receivers.received("teams")[0].text();
    assert!(
        teams.contains(r"\\*Sale\\*") && !teams.contains("[x](http"),
        "{teams}"
    );
    let mail = world.smtp.messages().remove(0);
    let headers = mail.split("\r\n\r\n").next().unwrap();
    assert!(
        !headers.contains("all@evil.example"),
        "no header from a name: {headers}"
    );
    let html = mail
        .split("Content-Type: text/html")
        .nth(1)
        .expect("an HTML part");
    assert!(
        !html.contains("<script>") && html.contains("&lt;script&gt;"),
        "{html}"
    );
    let hook = hook_alerts(&world.receivers.received("hook")[0]);
    assert_eq!(
        hook[0]["account_name"], hostile,
        "the webhook carries it as it is"
    );
    for received in ["slack", "teams", "hook"]
        .iter()
        .flat_map(|p| world.receivers.received(p))
    {
        assert!(!received.text().contains(&world.token));
    }
    assert!(!mail.contains(&world.token));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_broken_login_is_told_once() {
    let world = World::start(5).await;
    let hook = world.receivers.url("hook");
    world.add(&["webhook", &hook]).await;
    assert_eq!(world.check().await.status, 0);
    world.double.set_token_state(
        graph_double::DEFAULT_USER,
        graph_double::TokenState::Expired,
    );
    assert_eq!(world.check().await.status, 0);
    let body = world.receivers.received("hook")[0].json();
    let alerts = body["alerts"].as_array().unwrap();
    assert_eq!(alerts.len(), 1, "{alerts:?}");
    assert_eq!(alerts[0]["reason"], "login_token_expired");
    assert!(alerts[0]["account_id"].is_null());
    assert!(
        alerts[0]["action"]
            .as_str()
            .unwrap()
            .starts_with("Reauthenticate ")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_input_is_a_usage_error_and_changes_nothing() {
    let world = World::start(1).await;
    for args in [
        vec!["alerts", "add", "webhook", "http://hooks.example.com/x"],
        vec!["alerts", "add", "slack", "--url-env", "NOT_SET_ANYWHERE"],
        vec![
            "alerts",
            "add",
            "slack",
            "--url-env",
            "SLACK_URL",
            "--min-severity",
            "critical",
        ],
        vec![
            "alerts",
            "add",
            "email",
            "--smtp",
            "smtp://mail.example.com",
            "--to",
            "not an address",
        ],
        vec![
            "alerts",
            "add",
            "email",
            "--smtp",
            "http://mail.example.com",
            "--to",
            "a@example.com",
        ],
        vec![
            "alerts",
            "add",
            "teams",
            "--url-env",
            "SLACK_URL",
            "--remind",
            "5s",
        ],
        vec!["alerts", "remove", "dnothere"],
        vec!["alerts", "test", "dnothere"],
    ] {
        let out = world.run(&args).await;
        assert_eq!(out.status, 2, "{args:?}: {} {}", out.stdout, out.stderr);
        assert!(!out.stderr.trim().is_empty(), "{args:?} says why");
    }
    let list = world.run(&["alerts", "list", "--json"]).await;
    assert_eq!(list.stdout.trim(), "[]");
}

#[tokio::test(flavor = "multi_thread")]
async fn secrets_never_show_and_a_login_by_token_needs_a_keychain() {
    let world = World::start(1).await;
    let hook = format!("{}?key=SECRETKEY", world.receivers.url("hook"));
    world
        .add(&["webhook", &hook, "--secret-env", "HOOK_SECRET"])
        .await;
    world.add(&["slack", "--url-env", "SLACK_URL"]).await;
    for args in [
        vec!["alerts", "list"],
        vec!["alerts", "list", "--json"],
        vec!["doctor", "--json"],
    ] {
        let out = world.run(&args).await;
        for secret in [SECRET, "SECRETKEY", "/slack"] {
            assert!(
                !out.stdout.contains(secret),
                "{args:?} shows {secret}: {}",
                out.stdout
            );
        }
    }
    for file in walk(world.data.path()) {
        let bytes = std::fs::read(&file).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains(SECRET), "{}", file.display());
    }
    // No keychain here: the token cannot be kept, and the error says what to do.
    let out = world
        .command(&["logins", "add", "--token-env", "META_TOKEN"])
        .env("META_TOKEN", &world.token)
        .env_remove("ADKEEP_ACCESS_TOKEN")
        .output()
        .await
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("ADKEEP_ACCESS_TOKEN"), "{stderr}");
    let missing = world
        .run(&["logins", "add", "--token-env", "NOT_SET_ANYWHERE"])
        .await;
    assert_eq!(missing.status, 2);
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread")]
async fn the_watcher_stops_cleanly_on_sigterm() {
    let world = World::start(3).await;
    let hook = world.receivers.url("hook");
    world.add(&["webhook", &hook]).await;
    world.set_status(0, 2);
    let child = world
        .command(&["watch", "--every", "1h"])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // The first check runs at once (nothing was checked yet).
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while world.receivers.received("hook").is_empty() {
        assert!(std::time::Instant::now() < deadline, "no first check");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let pid = child.id().unwrap().to_string();
    let sent = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    assert!(sent.success());
    let out = tokio::time::timeout(Duration::from_secs(20), child.wait_with_output())
        .await
        .expect("stops within 20 s")
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(
        log.contains("SIGTERM: stopping") && log.contains("stopped"),
        "{log}"
    );
    assert!(!log.contains("\u{1b}["), "no colour in a pipe: {log}");
    let book = std::fs::read(world.data.path().join("accounts.json")).unwrap();
    let _: Value = serde_json::from_slice(&book).expect("the book is whole");
}
