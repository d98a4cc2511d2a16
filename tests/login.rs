//! Reauthenticate against the double's login dialog, driven by a scripted
//! browser: first login, new accounts at the next login, cancel, a forged
//! state, a wrong PKCE verifier, a different user, declined scopes, and the
//! token staying out of every file.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::sync::Arc;

use adkeep_app::backend::{Authorizer, Backend, LoginOutcome, NoEvents};
use adkeep_app::secrets::Custody;
use adkeep_app::secrets::Vault;
use adkeep_app::store::FileStores;
use adkeep_core::Error;
use adkeep_core::auth::{self, DialogOptions, LoginRequest, ResponseKind};
use adkeep_core::graph::client::{Endpoints, http_client};
use adkeep_core::logins::LoginId;
use adkeep_core::model::Reach;
use adkeep_core::settings::Settings;
use futures::FutureExt;
use futures::future::BoxFuture;
use graph_double::browser::{Browser, Choice};
use graph_double::{DEFAULT_APP, DEFAULT_USER, DoubleConfig, GraphDouble, OTHER_USER};
use url::Url;

/// Drives the dialog as a person would, optionally tampering with the answer.
struct Person {
    browser: Browser,
    choice: std::sync::Mutex<Choice>,
    forge_state: bool,
}

impl Person {
    fn new(choice: Choice) -> Self {
        Self {
            browser: Browser::new(),
            choice: std::sync::Mutex::new(choice),
            forge_state: false,
        }
    }

    fn choose(&self, choice: Choice) {
        *self.choice.lock().unwrap() = choice;
    }
}

impl Authorizer for Person {
    fn redirect_uri(&self, endpoints: &Endpoints) -> BoxFuture<'_, adkeep_core::Result<Url>> {
        let uri = endpoints.login_redirect().unwrap();
        async move { Ok(uri) }.boxed()
    }

    fn authorize<'a>(
        &'a self,
        request: &'a LoginRequest,
        _: &'a Endpoints,
    ) -> BoxFuture<'a, adkeep_core::Result<Url>> {
        async move {
            let choice = self.choice.lock().unwrap().clone();
            let mut url = self
                .browser
                .run(&request.url, &choice)
                .await
                .map_err(|e| Error::Login(e.to_string()))?;
            if self.forge_state {
                let pairs: Vec<(String, String)> = url
                    .query_pairs()
                    .map(|(k, v)| {
                        let value = if k == "state" {
                            "forged".to_owned()
                        } else {
                            v.into_owned()
                        };
                        (k.into_owned(), value)
                    })
                    .collect();
                url.query_pairs_mut().clear().extend_pairs(pairs);
            }
            Ok(url)
        }
        .boxed()
    }
}

struct Fixture {
    double: GraphDouble,
    backend: Arc<Backend>,
    data: tempfile::TempDir,
}

/// When the stored login expires, as learned at login.
fn token_expires_at(f: &Fixture) -> chrono::DateTime<chrono::Utc> {
    let book = f.backend.session().book();
    let login = book.logins.values().next().unwrap();
    login.token.as_ref().unwrap().expires_at.unwrap()
}

async fn fixture(accounts: usize) -> Fixture {
    let double = GraphDouble::start(DoubleConfig::generated(accounts, 2))
        .await
        .unwrap();
    let data = tempfile::tempdir().unwrap();
    let stores = Arc::new(FileStores::new(data.path().to_path_buf()));
    let endpoints = Endpoints::one_host(&double.url()).unwrap();
    let backend = Backend::open_with(
        stores,
        Vault::without_keychain(data.path().to_path_buf()),
        Arc::new(NoEvents),
        Some(endpoints),
    )
    .unwrap();
    backend
        .save_settings(Settings {
            app_id: DEFAULT_APP.to_owned(),
            ..Settings::default()
        })
        .unwrap();
    Fixture {
        double,
        backend,
        data,
    }
}

fn jane() -> Choice {
    Choice::continue_as("jane@example.com", "adkeep")
}

fn connected(outcome: LoginOutcome) -> (String, Vec<String>, Custody, usize, String) {
    match outcome {
        LoginOutcome::Connected {
            user,
            declined,
            custody,
            new_accounts,
            message,
            ..
        } => (user.name, declined, custody, new_accounts, message),
        other => panic!("expected a connection, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn first_login_reads_the_accounts_and_the_next_one_brings_new_ones() {
    let f = fixture(12).await;
    let person = Person::new(jane());

    let (user, declined, custody, new, _) =
        connected(f.backend.reauthenticate(&person, None).await.unwrap());
    assert_eq!(user, "Jane Doe");
    assert!(declined.is_empty());
    assert_eq!(
        custody,
        Custody::Memory,
        "no keychain here: kept for the session"
    );
    assert_eq!(new, 0, "nothing is new on the first listing");
    assert_eq!(f.backend.session().book().len(), 12);
    assert_eq!(
        *person.browser.pages.lock().unwrap(),
        vec!["login", "continue"]
    );

    // Meta shares two more accounts, which the next login grants; one goes away.
    let added = f.double.add_accounts(2);
    let refs: Vec<&str> = added.iter().map(String::as_str).collect();
    f.double.grant(graph_double::DEFAULT_USER, &refs, true);
    let gone = f
        .double
        .world(|w| w.accounts.keys().next().unwrap().clone());
    f.double.revoke(graph_double::DEFAULT_USER, &[&gone]);

    let (_, _, _, new, message) = connected(f.backend.reauthenticate(&person, None).await.unwrap());
    assert_eq!(
        *person.browser.pages.lock().unwrap(),
        vec!["continue"],
        "the session cookie means just Continue"
    );
    assert_eq!(new, 2, "{message}");
    assert!(message.contains("2 new ad accounts"), "{message}");
    let book = f.backend.session().snapshot();
    for id in &added {
        assert!(book.get(format!("act_{id}").as_str()).unwrap().is_new);
    }
    let lost = book.get(format!("act_{gone}").as_str()).unwrap();
    assert_eq!(lost.reach, Reach::NoLongerAccessible);
    assert!(lost.amount_spent.is_some(), "kept with its last data");
}

#[tokio::test(flavor = "multi_thread")]
async fn cancel_changes_nothing() {
    let f = fixture(5).await;
    let person = Person::new(jane());
    connected(f.backend.reauthenticate(&person, None).await.unwrap());
    let before = f.backend.session().snapshot();
    let token_before = f.backend.connection().await.unwrap().links[0]
        .interactive
        .client()
        .token()
        .clone();

    person.choose(Choice::Cancel);
    let error = f.backend.reauthenticate(&person, None).await.unwrap_err();
    assert!(matches!(error, Error::Cancelled), "{error:?}");
    assert_eq!(f.backend.session().snapshot(), before);
    let token_after = f.backend.connection().await.unwrap().links[0]
        .interactive
        .client()
        .token()
        .clone();
    assert_eq!(token_before, token_after, "the token is unchanged");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_forged_state_is_refused() {
    let f = fixture(3).await;
    let mut person = Person::new(jane());
    person.forge_state = true;
    let error = f.backend.reauthenticate(&person, None).await.unwrap_err();
    assert!(matches!(error, Error::LoginRejected(_)), "{error:?}");
    assert!(f.backend.session().book().logins.is_empty());
    assert!(f.backend.session().book().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn the_double_refuses_a_code_without_the_right_verifier() {
    let double = GraphDouble::start(DoubleConfig::generated(2, 1))
        .await
        .unwrap();
    let endpoints = Endpoints::one_host(&double.url()).unwrap();
    let options = DialogOptions {
        app_id: DEFAULT_APP.to_owned(),
        config_id: None,
        response: ResponseKind::Code,
        redirect_uri: endpoints.login_redirect().unwrap(),
    };
    let request = LoginRequest::new(&endpoints, options.clone()).unwrap();
    let impostor = LoginRequest::new(&endpoints, options).unwrap();
    let browser = Browser::new();
    let landed = browser.run(&request.url, &jane()).await.unwrap();
    let code = match request.read_redirect(&landed).unwrap() {
        auth::Callback::Code(code) => code,
        other => panic!("{other:?}"),
    };
    let http = http_client().unwrap();
    // Another login's verifier: refused.
    let error = auth::exchange_code(&http, &endpoints, &impostor, &code, None)
        .await
        .unwrap_err();
    assert_eq!(error.code, Some(100));
    assert!(error.message.contains("code verifier"), "{}", error.message);
    // The code is single-use, even for the right verifier afterwards.
    let error = auth::exchange_code(&http, &endpoints, &request, &code, None)
        .await
        .unwrap_err();
    assert_eq!(error.subcode, Some(36009));

    // A fresh code with the right verifier works.
    let request = LoginRequest::new(
        &endpoints,
        DialogOptions {
            app_id: DEFAULT_APP.to_owned(),
            config_id: None,
            response: ResponseKind::Code,
            redirect_uri: endpoints.login_redirect().unwrap(),
        },
    )
    .unwrap();
    let landed = browser.run(&request.url, &jane()).await.unwrap();
    let code = match request.read_redirect(&landed).unwrap() {
        auth::Callback::Code(code) => code,
        other => panic!("{other:?}"),
    };
    let grant = auth::exchange_code(&http, &endpoints, &request, &code, None)
        .await
        .unwrap();
    assert!(grant.expires_at.is_some());
}

fn login_of(user: &str) -> LoginId {
    LoginId::new(user).unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn someone_else_logging_in_for_a_login_is_asked_about_and_then_added() {
    let f = fixture(8).await;
    let person = Person::new(jane());
    connected(f.backend.reauthenticate(&person, None).await.unwrap());
    let janes = f.backend.session().snapshot();
    let jane = login_of(DEFAULT_USER);

    person.browser.forget_session();
    person.choose(Choice::continue_as("sam@example.com", "adkeep"));
    match f
        .backend
        .reauthenticate(&person, Some(&jane))
        .await
        .unwrap()
    {
        LoginOutcome::DifferentUser {
            expected,
            user,
            known,
            message,
        } => {
            assert!(!known, "Sam is new to Adkeep");
            assert_eq!(expected.name, "Jane Doe");
            assert_eq!(user.name, "Sam Lee");
            assert!(
                message.contains("Sam Lee") && message.contains("Jane Doe"),
                "{message}"
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(f.backend.session().snapshot(), janes, "nothing changed yet");
    assert!(
        f.backend
            .confirm_switch_user(false)
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(f.backend.session().snapshot(), janes, "kept");

    // Again, and this time add Sam beside Jane.
    let _ = f
        .backend
        .reauthenticate(&person, Some(&jane))
        .await
        .unwrap();
    let (user, ..) = connected(f.backend.confirm_switch_user(true).await.unwrap().unwrap());
    assert_eq!(user, "Sam Lee");
    let book = f.backend.session().snapshot();
    assert_eq!(book.logins.len(), 2, "Jane stays, Sam is added");
    assert_eq!(book.len(), 8, "one list: Sam's accounts are among Jane's");
    let shared = book
        .accounts
        .values()
        .filter(|a| a.logins.len() == 2)
        .count();
    assert_eq!(shared, 3, "Sam reaches three of them");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_same_person_again_renews_their_login_and_adds_no_other() {
    let f = fixture(4).await;
    let person = Person::new(jane());
    let first = f.backend.reauthenticate(&person, None).await.unwrap();
    assert!(matches!(first, LoginOutcome::Connected { added: true, .. }));
    let again = f.backend.reauthenticate(&person, None).await.unwrap();
    assert!(
        matches!(again, LoginOutcome::Connected { added: false, .. }),
        "{again:?}"
    );
    assert_eq!(f.backend.session().book().logins.len(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn removing_a_login_keeps_what_only_it_reached_marked_no_longer_accessible() {
    let f = fixture(6).await;
    let person = Person::new(jane());
    connected(f.backend.reauthenticate(&person, None).await.unwrap());
    person.browser.forget_session();
    person.choose(Choice::continue_as("sam@example.com", "adkeep"));
    connected(f.backend.reauthenticate(&person, None).await.unwrap());
    let sam = login_of(OTHER_USER);
    // Jane loses one of the accounts Sam reaches: only Sam reaches it now.
    let last = f
        .double
        .world(|w| w.accounts.keys().next_back().unwrap().clone());
    f.double.revoke(DEFAULT_USER, &[&last]);
    f.backend.refresh_all().await.unwrap();
    let id = format!("act_{last}");
    assert_eq!(
        f.backend.session().book().get(id.as_str()).unwrap().reach,
        Reach::Reachable
    );

    f.backend
        .rename_login(OTHER_USER, "Sam (colleague)")
        .unwrap();
    let message = f.backend.remove_login("Sam (colleague)").await.unwrap();
    assert!(
        message.contains("The 1 account only Sam (colleague) reached is kept"),
        "{message}"
    );
    let book = f.backend.session().snapshot();
    assert!(!book.logins.contains_key(&sam));
    let kept = book.get(id.as_str()).unwrap();
    assert_eq!(
        kept.reach,
        Reach::NoLongerAccessible,
        "never silently dropped"
    );
    assert!(kept.amount_spent.is_some(), "with its last data");
    assert_eq!(book.len(), 6);
    assert_eq!(
        f.backend.vault().load_token(&sam, false),
        (None, Custody::None),
        "its token is gone"
    );
    // The next refresh does not bring it back.
    f.backend.refresh_all().await.unwrap();
    assert_eq!(
        f.backend.session().book().get(id.as_str()).unwrap().reach,
        Reach::NoLongerAccessible
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_declined_scope_is_reported_by_name() {
    let f = fixture(4).await;
    f.double
        .knobs(|k| k.decline_scopes = vec!["business_management".to_owned()]);
    let person = Person::new(jane());
    let (_, declined, _, _, message) =
        connected(f.backend.reauthenticate(&person, None).await.unwrap());
    assert_eq!(declined, vec!["business_management"]);
    assert!(
        message.contains("You did not grant business_management"),
        "{message}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_token_is_in_no_file_after_a_login() {
    let f = fixture(6).await;
    let person = Person::new(jane());
    connected(f.backend.reauthenticate(&person, None).await.unwrap());
    let tokens: Vec<String> = f.double.world(|w| w.tokens.keys().cloned().collect());
    assert!(!tokens.is_empty());
    for entry in walk(f.data.path()) {
        let bytes = std::fs::read(&entry).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        for token in &tokens {
            assert!(
                !text.contains(token.as_str()),
                "{} holds the token",
                entry.display()
            );
        }
    }
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
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

#[tokio::test(flavor = "multi_thread")]
async fn the_loopback_method_works_with_the_system_browser() {
    let f = fixture(3).await;
    // A free port for the loopback listener (as configured in Settings).
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let runtime = tokio::runtime::Handle::current();
    let browser = Arc::new(Browser::new());
    let system_browser: adkeep_app::desktop::login_window::OpenBrowser =
        Box::new(move |url: &Url| {
            // The "system browser": a person logs in, then the browser follows
            // Facebook's redirect to the loopback address.
            let (url, browser) = (url.clone(), browser.clone());
            runtime.spawn(async move {
                let landed = browser.run(&url, &jane()).await.expect("the dialog");
                assert_eq!(
                    landed.host_str(),
                    Some("127.0.0.1"),
                    "RFC 8252 §7.3: the loopback literal"
                );
                let local = format!(
                    "http://127.0.0.1:{}{}?{}",
                    landed.port().unwrap(),
                    landed.path(),
                    landed.query().unwrap_or("")
                );
                reqwest::Client::builder()
                    .redirect(reqwest::redirect::Policy::none())
                    .build()
                    .unwrap()
                    .get(local)
                    .send()
                    .await
                    .expect("the loopback listener answers");
            });
            Ok(())
        });
    let loopback =
        adkeep_app::desktop::login_window::LoopbackAuthorizer::new(vec![port], system_browser);
    let (user, ..) = connected(f.backend.reauthenticate(&loopback, None).await.unwrap());
    assert_eq!(user, "Jane Doe");
    assert_eq!(f.backend.session().book().len(), 3);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_token_response_mode_reads_the_fragment() {
    let f = fixture(2).await;
    let mut settings = f.backend.settings();
    settings.login_method = adkeep_core::settings::LoginMethod::PopupToken;
    f.backend.save_settings(settings).unwrap();
    let person = Person::new(jane());
    let (user, ..) = connected(f.backend.reauthenticate(&person, None).await.unwrap());
    assert_eq!(user, "Jane Doe");
    assert_eq!(f.backend.session().book().len(), 2);
    let book = f.backend.session().snapshot();
    let login = book.logins.values().next().unwrap();
    assert!(
        login
            .token
            .as_ref()
            .unwrap()
            .data_access_expires_at
            .is_some()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn with_an_app_secret_the_login_becomes_long_lived() {
    let f = fixture(2).await;
    // Short-lived logins from the dialog (two hours)…
    f.double.knobs(|k| k.token_lifetime_secs = 2 * 3600);
    let person = Person::new(jane());
    connected(f.backend.reauthenticate(&person, None).await.unwrap());
    let short = token_expires_at(&f);
    assert!(short < chrono::Utc::now() + chrono::Duration::hours(3));

    // …exchanged for ~60 days once the app secret is stored.
    assert!(
        f.backend
            .set_app_secret("not a secret".into())
            .await
            .is_err()
    );
    f.backend
        .set_app_secret(graph_double::APP_SECRET.into())
        .await
        .unwrap();
    assert!(f.backend.settings().has_app_secret);
    connected(f.backend.reauthenticate(&person, None).await.unwrap());
    let long = token_expires_at(&f);
    assert!(
        long > chrono::Utc::now() + chrono::Duration::days(59),
        "{long}"
    );
}
