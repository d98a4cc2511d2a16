//! Real-window end-to-end tests: the built `adkeep` binary driven through
//! tauri-driver and WebKitWebDriver. Each app gets its own tauri-driver, data
//! folder and home. The test script provides the display (Xvfb) and a D-Bus
//! session (with an unlocked keyring).

#![allow(dead_code)]
// A test harness: failing loudly is its job.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

pub struct App {
    pub client: Client,
    driver: Child,
    pub data_dir: PathBuf,
    pub home: PathBuf,
    _dir: tempfile::TempDir,
}

#[derive(Default)]
pub struct Options {
    pub env: Vec<(String, String)>,
    /// Reuse a data folder (e.g. to test what a second start sees).
    pub data_dir: Option<PathBuf>,
    /// `settings.json` content to start with.
    pub settings: Option<Value>,
}

impl Options {
    pub fn env(mut self, key: &str, value: impl Into<String>) -> Self {
        self.env.push((key.to_owned(), value.into()));
        self
    }

    pub fn settings(mut self, settings: Value) -> Self {
        self.settings = Some(settings);
        self
    }

    /// Points the app at a Graph double, without a token (log in through the popup).
    pub fn double_without_token(self, url: &str) -> Self {
        self.env("ADKEEP_GRAPH_URL", url)
            .env("ADKEEP_FACEBOOK_URL", url)
    }

    /// Points the app at a Graph double (Meta mode) with a token.
    pub fn double(self, url: &str, token: &str) -> Self {
        self.env("ADKEEP_GRAPH_URL", url)
            .env("ADKEEP_FACEBOOK_URL", url)
            .env("ADKEEP_ACCESS_TOKEN", token)
    }
}

/// A data folder holding a Graph double's accounts, refreshed through the
/// CLI (a window then starts from that cache).
pub async fn cached_accounts(double: &graph_double::GraphDouble) -> tempfile::TempDir {
    let data = tempfile::tempdir().unwrap();
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_adkeep"))
        .arg("refresh")
        .env("ADKEEP_GRAPH_URL", double.url())
        .env("ADKEEP_FACEBOOK_URL", double.url())
        .env("ADKEEP_ACCESS_TOKEN", double.issue_token())
        .env("ADKEEP_DATA_DIR", data.path())
        .env_remove("DISPLAY")
        .output()
        .await
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    data
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

fn tauri_driver() -> PathBuf {
    if let Ok(path) = std::env::var("TAURI_DRIVER") {
        return PathBuf::from(path);
    }
    let home = std::env::var("HOME").unwrap_or_default();
    let cargo_bin = Path::new(&home).join(".cargo/bin/tauri-driver");
    if cargo_bin.exists() {
        cargo_bin
    } else {
        PathBuf::from("tauri-driver")
    }
}

impl App {
    pub async fn launch(options: Options) -> App {
        let dir = tempfile::tempdir().expect("temp dir");
        let home = dir.path().join("home");
        let data_dir = options
            .data_dir
            .clone()
            .unwrap_or_else(|| dir.path().join("data"));
        std::fs::create_dir_all(&home).expect("home");
        std::fs::create_dir_all(&data_dir).expect("data");
        if let Some(settings) = &options.settings {
            std::fs::write(
                data_dir.join("settings.json"),
                json!({ "settings": settings }).to_string(),
            )
            .expect("settings");
        }
        let port = free_port();
        let native_port = free_port();
        let log = std::fs::File::create(dir.path().join("driver.log")).expect("log");
        let mut command = Command::new(tauri_driver());
        command
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &native_port.to_string(),
            ])
            .args(["--native-driver", "/usr/bin/WebKitWebDriver"])
            .env("HOME", &home)
            .env("XDG_CONFIG_HOME", home.join(".config"))
            .env("XDG_DATA_HOME", home.join(".local/share"))
            .env("XDG_CACHE_HOME", home.join(".cache"))
            .env("MESA_SHADER_CACHE_DIR", home.join(".cache/mesa"))
            .env("ADKEEP_DATA_DIR", &data_dir)
            .env_remove("ADKEEP_ACCESS_TOKEN")
            .env_remove("ADKEEP_GRAPH_URL")
            .env_remove("ADKEEP_FACEBOOK_URL")
            // The quiet update check at start stays on loopback (port 9
            // refuses at once) unless a test serves updates itself.
            .env("ADKEEP_UPDATE_URL", "http://127.0.0.1:9/latest.json")
            .stdout(Stdio::from(log.try_clone().expect("log")))
            .stderr(Stdio::from(log))
            // Its own process group: dropping the App stops the driver, WebKitWebDriver and the app.
            .process_group(0);
        for (k, v) in &options.env {
            command.env(k, v);
        }
        let driver = command
            .spawn()
            .expect("tauri-driver (cargo install tauri-driver --version '^2' --locked)");
        // Both must listen before a session is asked for: tauri-driver
        // forwards it to WebKitWebDriver at once, and a native driver still
        // starting refuses it ("client error (Connect)").
        let deadline = Instant::now() + Duration::from_secs(20);
        for (listener, what) in [(port, "tauri-driver"), (native_port, "WebKitWebDriver")] {
            while std::net::TcpStream::connect(("127.0.0.1", listener)).is_err() {
                assert!(Instant::now() < deadline, "{what} did not start");
                std::thread::sleep(Duration::from_millis(100));
            }
        }
        let mut caps = serde_json::Map::new();
        caps.insert("browserName".into(), json!("wry"));
        caps.insert(
            "tauri:options".into(),
            json!({ "application": env!("CARGO_BIN_EXE_adkeep") }),
        );
        let session = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await;
        let client = match session {
            Ok(client) => client,
            Err(e) => {
                // No App to drop yet: stop the driver and the app here, and
                // show what they said.
                let mut driver = driver;
                stop_group(&mut driver);
                let log =
                    std::fs::read_to_string(dir.path().join("driver.log")).unwrap_or_default();
                panic!("a WebDriver session: {e:?}\n--- tauri-driver and app log ---\n{log}");
            }
        };
        // A hang fails fast instead of waiting out WebDriver's 300 s default.
        client
            .update_timeouts(fantoccini::wd::TimeoutConfiguration::new(
                Some(Duration::from_secs(30)),
                Some(Duration::from_secs(20)),
                Some(Duration::ZERO),
            ))
            .await
            .expect("timeouts");
        let app = App {
            client,
            driver,
            data_dir,
            home,
            _dir: dir,
        };
        app.wait_for(
            "document.body && document.body.dataset.ready === 'true'",
            30,
        )
        .await;
        app
    }

    /// A new window that entered the sandbox and finished its first refresh.
    #[allow(dead_code)] // not every test file uses the sandbox
    pub async fn sandbox() -> App {
        let app = App::launch(Options::default()).await;
        app.wait_for("!document.querySelector('#screen-first-run').hidden", 10)
            .await;
        app.click("#enter-sandbox").await;
        app.wait_accounts(40, 30).await;
        app.wait_idle(60).await;
        app
    }

    /// A new window (pointed at a Graph double without a token) logged in
    /// through the popup for the first time, with `accounts` listed and the
    /// first refresh done; and the main window's handle.
    #[allow(dead_code)] // not every test file logs in
    pub async fn logged_in(
        options: Options,
        accounts: usize,
    ) -> (App, fantoccini::wd::WindowHandle) {
        let app = App::launch(options).await;
        let main = app.client.window().await.expect("main window");
        app.wait_for("!document.querySelector('#screen-accounts').hidden", 10)
            .await;
        app.log_in_through_the_popup(&main, true).await;
        app.wait_accounts(accounts, 30).await;
        app.wait_idle(30).await;
        (app, main)
    }

    /// Saves what the window shows as `NAME.png` in `ADKEEP_E2E_SHOTS`, when
    /// that is set (for looking at a journey afterwards; tests never compare images).
    pub async fn screenshot(&self, name: &str) {
        let Some(dir) = std::env::var_os("ADKEEP_E2E_SHOTS") else {
            return;
        };
        let png = self.client.screenshot().await.expect("a screenshot");
        std::fs::create_dir_all(&dir).expect("the screenshot folder");
        std::fs::write(Path::new(&dir).join(format!("{name}.png")), png)
            .expect("a screenshot file");
    }

    /// Runs JavaScript in the current window and returns its value.
    pub async fn js(&self, script: &str) -> Value {
        self.client.execute(script, vec![]).await.expect("script")
    }

    /// Waits until `expression` is truthy.
    pub async fn wait_for(&self, expression: &str, seconds: u64) -> Value {
        let deadline = Instant::now() + Duration::from_secs(seconds);
        let script = format!("return ({expression});");
        loop {
            if let Ok(value) = self.client.execute(&script, vec![]).await
                && !value.is_null()
                && value != json!(false)
                && value != json!(0)
                && value != json!("")
            {
                return value;
            }
            if Instant::now() >= deadline {
                let screen = self
                    .client
                    .execute("return [document.querySelector('#app') && document.querySelector('#app').dataset.screen, document.body && document.body.innerText.slice(0, 300)]", vec![])
                    .await;
                panic!("timed out waiting for: {expression}\n  window now: {screen:?}");
            }
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
    }

    /// What `css` finds, waiting up to 15 s for it to appear.
    async fn element(&self, css: &str) -> fantoccini::elements::Element {
        self.client
            .wait()
            .at_most(Duration::from_secs(15))
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"))
    }

    /// Clicks like a person: finds the element, brings it into view (clear of
    /// the sticky toolbar), clicks. A row can move between finding and
    /// clicking (an update re-sorts the list): then it is found and clicked
    /// again, a few times at most.
    pub async fn click(&self, css: &str) {
        let mut last = None;
        for _ in 0..5 {
            let element = self.element(css).await;
            self.client
                .execute(
                    "arguments[0].scrollIntoView({block: 'center'});",
                    vec![serde_json::to_value(&element).expect("element")],
                )
                .await
                .expect("scroll");
            match element.click().await {
                Ok(()) => return,
                Err(e) => last = Some(e),
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        panic!("click {css}: {last:?}");
    }

    /// Rests the pointer on what `css` finds, as a person reading it would.
    pub async fn hover(&self, css: &str) {
        use fantoccini::actions::{InputSource, MouseActions, PointerAction};
        let element = self.element(css).await;
        let to = MouseActions::new("mouse".to_owned()).then(PointerAction::MoveToElement {
            element,
            duration: None,
            x: 0.0,
            y: 0.0,
        });
        self.client
            .perform_actions(to)
            .await
            .unwrap_or_else(|e| panic!("hover {css}: {e}"));
    }

    /// Clicks from script, returning at once: for buttons whose navigation
    /// closes the window (a WebDriver click would wait for that navigation in
    /// a window that no longer exists).
    pub async fn click_and_let_go(&self, css: &str) {
        self.wait_for(&format!("document.querySelector({css:?})"), 15)
            .await;
        self.client
            .execute(
                &format!(
                    "setTimeout(() => document.querySelector({css:?}).click(), 0); return true;"
                ),
                vec![],
            )
            .await
            .unwrap_or_else(|e| panic!("click {css}: {e}"));
    }

    /// `[id, refreshed_at, full text]` of every account row shown, top to
    /// bottom. The list draws only the rows on screen, so this scrolls
    /// through it a screen at a time, as a person would, and scrolls back.
    pub async fn rows(&self) -> Vec<(String, String, String)> {
        let value = self.scan_list("return null;").await;
        value
            .as_array()
            .into_iter()
            .flatten()
            .map(|r| {
                let s = |i: usize| r[i].as_str().unwrap_or_default().to_owned();
                (s(0), s(1), s(2))
            })
            .collect()
    }

    /// Scrolls the list until the account's row is drawn and leaves it
    /// there (near the middle of the list).
    pub async fn reveal(&self, id: &str) {
        let found = self
            .scan_list(&format!(
                "const row = document.querySelector(\".account-row[data-id='{id}']\");
                 if (!row) return null;
                 row.scrollIntoView({{ block: 'center' }});
                 return true;"
            ))
            .await;
        assert_eq!(found, json!(true), "{id} is not in the list");
    }

    /// Reveals an account's row and opens its details pane by clicking it.
    /// A row can move between finding and clicking (an update re-sorts the
    /// list): then it is revealed and clicked again, a few times at most.
    pub async fn open_details(&self, id: &str) {
        let shown = format!(
            "return !document.querySelector('#details').hidden && document.querySelector('#details').dataset.id === '{id}'"
        );
        for _ in 0..4 {
            self.reveal(id).await;
            self.click(&format!(".account-row[data-id='{id}'] .col-refreshed"))
                .await;
            let deadline = Instant::now() + Duration::from_secs(3);
            while Instant::now() < deadline {
                if self.js(&shown).await == json!(true) {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
        let now = self
            .js("return [document.querySelector('#details').hidden, document.querySelector('#details').dataset.id, document.querySelectorAll('.account-row').length]")
            .await;
        panic!("the details of {id} did not open (pane hidden, id, rows drawn: {now})");
    }

    /// Presses keys together, as a person would (e.g. Shift and ArrowDown),
    /// into whatever has the focus.
    pub async fn press(&self, keys: &[fantoccini::key::Key]) {
        let keys: Vec<char> = keys.iter().map(|k| char::from(*k)).collect();
        self.press_chars(&keys).await;
    }

    /// Presses keys together, special ones (`char::from(Key::Control)`) or
    /// letters, e.g. Ctrl+F.
    pub async fn press_chars(&self, keys: &[char]) {
        use fantoccini::actions::{InputSource, KeyAction, KeyActions};
        let mut actions = KeyActions::new("keyboard".to_owned());
        for key in keys {
            actions = actions.then(KeyAction::Down { value: *key });
        }
        for key in keys.iter().rev() {
            actions = actions.then(KeyAction::Up { value: *key });
        }
        self.client
            .perform_actions(actions)
            .await
            .expect("pressing keys");
        // Let the window handle them.
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    /// Waits until the rows (as `rows` reads them) pass `check`.
    pub async fn wait_rows(
        &self,
        what: &str,
        seconds: u64,
        check: impl Fn(&[(String, String, String)]) -> bool,
    ) {
        let deadline = Instant::now() + Duration::from_secs(seconds);
        loop {
            if check(&self.rows().await) {
                return;
            }
            assert!(Instant::now() < deadline, "timed out waiting: {what}");
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
    }

    /// Waits until the list holds `count` accounts (shown or filtered out).
    pub async fn wait_accounts(&self, count: usize, seconds: u64) {
        self.wait_for(
            &format!("document.querySelector('#accounts-table').dataset.accounts === '{count}'"),
            seconds,
        )
        .await;
    }

    /// Scrolls the list from the top a screen at a time; after each step
    /// runs `stop` (a function body): a non-null result ends the scan and is
    /// returned. Otherwise returns every row seen, in order, and puts the
    /// scroll back.
    pub async fn scan_list(&self, stop: &str) -> Value {
        let script = format!(
            "const done = arguments[arguments.length - 1];
             const stop = () => {{ {stop} }};
             (async () => {{
               const view = document.querySelector('#accounts-viewport');
               const frame = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
               const kept = view.scrollTop;
               const seen = new Map();
               view.scrollTop = 0;
               await frame();
               for (let step = 0; step < 100000; step += 1) {{
                 for (const r of document.querySelectorAll('.account-row')) {{
                   seen.set(r.dataset.id, [r.dataset.id, r.querySelector('time').getAttribute('datetime') || '', r.textContent, Number(r.getAttribute('aria-rowindex'))]);
                 }}
                 const result = stop();
                 if (result !== null) return done(result);
                 if (view.scrollTop + view.clientHeight >= view.scrollHeight - 1) break;
                 // A screen, plus the rows drawn beyond it either side (8 each).
                 view.scrollTop += view.clientHeight + 6 * 34;
                 await frame();
               }}
               view.scrollTop = kept;
               await frame();
               done([...seen.values()].sort((a, b) => a[3] - b[3]).map((r) => r.slice(0, 3)));
             }})();"
        );
        // Hundreds of rows take many frames on a busy machine.
        self.client
            .update_timeouts(fantoccini::wd::TimeoutConfiguration::new(
                Some(Duration::from_secs(180)),
                None,
                None,
            ))
            .await
            .expect("script timeout");
        self.client
            .execute_async(&script, vec![])
            .await
            .expect("scanning the list")
    }

    /// Waits until no refresh-all is running, and none follows at once
    /// (the idle state holds for most of a second): a test's next click then
    /// starts a run of its own rather than joining one about to begin.
    pub async fn wait_idle(&self, seconds: u64) {
        const IDLE: &str = "document.querySelector('#progress-bar').hidden && !document.querySelector('#refresh-all').disabled";
        let deadline = Instant::now() + Duration::from_secs(seconds);
        loop {
            let left = deadline
                .saturating_duration_since(Instant::now())
                .as_secs()
                .max(1);
            self.wait_for(IDLE, left).await;
            tokio::time::sleep(Duration::from_millis(800)).await;
            if self.js(&format!("return ({IDLE});")).await == Value::Bool(true) {
                return;
            }
        }
    }

    /// Ends the session (the app quits); dropping stops the driver.
    /// Switches to the window that is not `main` (the login popup), waiting for it.
    pub async fn switch_to_popup(
        &self,
        main: &fantoccini::wd::WindowHandle,
    ) -> fantoccini::wd::WindowHandle {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let handles = self.client.windows().await.expect("windows");
            if let Some(popup) = handles.into_iter().find(|h| h != main) {
                self.client
                    .switch_to_window(popup.clone())
                    .await
                    .expect("switch to the popup");
                return popup;
            }
            assert!(Instant::now() < deadline, "the login window did not open");
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
    }

    /// Waits until only the main window is left, and switches back to it.
    /// Reauthenticate in the popup: log in to the double's dialog (the first
    /// time) and Continue; back in the main window when the popup closes.
    pub async fn log_in_through_the_popup(
        &self,
        main: &fantoccini::wd::WindowHandle,
        first_time: bool,
    ) {
        self.click("#reauthenticate").await;
        self.switch_to_popup(main).await;
        if first_time {
            self.type_into("#email", "jane@example.com").await;
            self.type_into("#pass", "adkeep").await;
            self.click("#login").await;
        }
        self.click_and_let_go("#continue").await;
        self.back_to_main(main).await;
    }

    pub async fn back_to_main(&self, main: &fantoccini::wd::WindowHandle) {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let handles = self.client.windows().await.expect("windows");
            if handles.len() == 1 {
                break;
            }
            assert!(Instant::now() < deadline, "the login window did not close");
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
        self.client
            .switch_to_window(main.clone())
            .await
            .expect("back to main");
    }

    /// Types into an input.
    pub async fn type_into(&self, css: &str, text: &str) {
        let element = self.element(css).await;
        element
            .send_keys(text)
            .await
            .unwrap_or_else(|e| panic!("type into {css}: {e}"));
    }

    /// The tauri-driver process: the app and its web process descend from it.
    #[allow(dead_code)] // used by the real-window bench, not by every test
    pub fn driver_pid(&self) -> u32 {
        self.driver.id()
    }

    pub async fn close(self) {
        let _ = self.client.clone().close().await;
    }
}

/// Stops tauri-driver's process group (WebKitWebDriver and the app with it).
fn stop_group(driver: &mut Child) {
    let group = format!("-{}", driver.id());
    let _ = Command::new("kill").args(["-TERM", "--", &group]).status();
    std::thread::sleep(Duration::from_millis(200));
    let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
    let _ = driver.wait();
}

impl Drop for App {
    fn drop(&mut self) {
        stop_group(&mut self.driver);
        if std::thread::panicking() {
            let log =
                std::fs::read_to_string(self._dir.path().join("driver.log")).unwrap_or_default();
            let tail: Vec<&str> = log.lines().rev().take(40).collect();
            eprintln!("--- tauri-driver and app log (last lines) ---");
            for line in tail.iter().rev() {
                eprintln!("{line}");
            }
        }
    }
}
