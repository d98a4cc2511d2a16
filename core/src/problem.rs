//! Classification of Graph failures into the stable reasons of DESIGN.md.
//!
//! Decided by `code` and `error_subcode` only, never by message text (Meta
//! localizes it). The one case codes cannot settle (190 without a subcode,
//! which Meta also uses for some permission problems) is settled by probing
//! `/me`: see [`needs_token_probe`] and [`Context::token_ok`].

use chrono::{DateTime, Duration as ChronoDuration, Utc};
use serde::{Deserialize, Serialize};
use std::time::Duration;

use crate::graph::error::{FailureKind, GraphError};
use crate::token::scrub_token_like;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    TokenExpired,
    TokenRevoked,
    AppChanged,
    SecurityCheckpoint,
    PermissionsChanged,
    PolicyViolation,
    RateLimited,
    Transient,
    Offline,
}

impl Reason {
    /// A broken token or app, as opposed to a passing condition.
    pub fn is_token_problem(self) -> bool {
        !matches!(self, Self::RateLimited | Self::Transient | Self::Offline)
    }

    /// Goes away by itself: Adkeep retries.
    pub fn retries_by_itself(self) -> bool {
        matches!(self, Self::RateLimited | Self::Transient | Self::Offline)
    }

    pub fn title(self) -> &'static str {
        match self {
            Self::TokenExpired => "Your Facebook login expired",
            Self::TokenRevoked => "Facebook ended this login",
            Self::AppChanged => "The Meta app changed",
            Self::SecurityCheckpoint => "Facebook needs you to confirm it's you",
            Self::PermissionsChanged => "A permission is missing",
            Self::PolicyViolation => "Meta restricted access for a policy reason",
            Self::RateLimited => "Meta's access limit was reached",
            Self::Transient => "Meta had a hiccup",
            Self::Offline => "Facebook can't be reached",
        }
    }

    /// What happened to a login, after its owner's name ("Jane's login expired").
    pub fn of_login(self) -> &'static str {
        match self {
            Self::TokenExpired => "login expired",
            Self::TokenRevoked => "login was ended by Facebook",
            Self::AppChanged => "login stopped working when the Meta app changed",
            Self::SecurityCheckpoint => "login needs a security check",
            Self::PermissionsChanged => "login lacks a permission",
            Self::PolicyViolation => "login is restricted by Meta",
            Self::RateLimited => "login reached Meta's limit",
            Self::Transient => "login met a Meta hiccup",
            Self::Offline => "login could not reach Facebook",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Reauthenticate,
    Refresh,
    OpenFacebook,
    OpenAccountQuality,
    AcceptTos,
    Wait,
}

impl Action {
    pub const ALL: [Action; 6] = [
        Self::Reauthenticate,
        Self::Refresh,
        Self::OpenFacebook,
        Self::OpenAccountQuality,
        Self::AcceptTos,
        Self::Wait,
    ];

    /// The name on the wire (as serialized).
    pub fn key(self) -> &'static str {
        match self {
            Self::Reauthenticate => "reauthenticate",
            Self::Refresh => "refresh",
            Self::OpenFacebook => "open_facebook",
            Self::OpenAccountQuality => "open_account_quality",
            Self::AcceptTos => "accept_tos",
            Self::Wait => "wait",
        }
    }

    /// The button that carries it out (the window's labels are generated
    /// from these: `ui/js/contract.js`). Waiting shows a countdown; its
    /// button tries at once instead.
    pub fn label(self) -> &'static str {
        match self {
            Self::Reauthenticate => "Reauthenticate",
            Self::Refresh => "Try again",
            Self::OpenFacebook => "Open facebook.com",
            Self::OpenAccountQuality => "Open Account Quality",
            Self::AcceptTos => "Review the terms",
            Self::Wait => "Try now",
        }
    }
}

/// Whether a failure concerns the whole login or one ad account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    Token,
    Account,
}

/// A classified failure: what the UI, the CLI and the tray show.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Problem {
    pub reason: Reason,
    pub action: Action,
    pub scope: Scope,
    pub title: String,
    /// What happened and what to do, in plain words.
    pub explanation: String,
    pub code: Option<i64>,
    pub subcode: Option<i64>,
    pub http_status: Option<u16>,
    /// Meta's own message (scrubbed of tokens), for support.
    pub message: String,
    pub user_title: Option<String>,
    pub user_msg: Option<String>,
    pub fbtrace_id: Option<String>,
    /// When access returns (rate limits) or the next automatic retry.
    pub retry_at: Option<DateTime<Utc>>,
    /// Where the action leads (ToS page, facebook.com, Account Quality).
    pub action_url: Option<String>,
    pub at: DateTime<Utc>,
}

/// What the classifier knows besides the error itself.
#[derive(Debug, Clone)]
pub struct Context {
    /// Token-wide request (`/me`, `/me/adaccounts`, …) or one account's.
    pub scope: Scope,
    pub now: DateTime<Utc>,
    /// How many times this request already failed (for backoff).
    pub attempt: u32,
    /// Result of probing `/me` after a bare 190: `Some(true)` = token works.
    pub token_ok: Option<bool>,
}

impl Context {
    pub fn new(scope: Scope, now: DateTime<Utc>) -> Self {
        Self {
            scope,
            now,
            attempt: 0,
            token_ok: None,
        }
    }
}

/// 190 without a subcode is either a dead token or a permission problem; only
/// a `/me` probe can tell which.
pub fn needs_token_probe(error: &GraphError) -> bool {
    error.code == Some(190) && error.subcode.is_none()
}

const TOS_SUBCODES: [i64; 3] = [1_870_034, 1_870_090, 1_870_092];
const POLICY_SUBCODES: [i64; 4] = [1_404_078, 1_404_163, 2_859_015, 3_910_001];

pub fn is_rate_limit_code(code: i64) -> bool {
    matches!(code, 4 | 17 | 32 | 341 | 613 | 80_000..=80_014)
}

/// Exponential backoff for rate limits: 30 s doubling, at most 5 minutes.
pub fn rate_limit_backoff(attempt: u32) -> Duration {
    let secs = 30u64.saturating_mul(1u64 << attempt.min(10));
    Duration::from_secs(secs.min(300))
}

/// Exponential backoff for transient failures: 1 s doubling, at most 60 s.
pub fn transient_backoff(attempt: u32) -> Duration {
    let secs = 1u64.saturating_mul(1u64 << attempt.min(10));
    Duration::from_secs(secs.min(60))
}

/// Classifies one failure. Pure: same input, same output.
pub fn classify(error: &GraphError, ctx: &Context) -> Problem {
    let (reason, action, scope, explanation) = decide(error, ctx);
    let retry_at = match reason {
        Reason::RateLimited => {
            let wait = error
                .usage
                .regain_access_after()
                .unwrap_or_else(|| rate_limit_backoff(ctx.attempt));
            ctx.now.checked_add_signed(to_chrono(wait))
        }
        Reason::Transient | Reason::Offline => ctx
            .now
            .checked_add_signed(to_chrono(transient_backoff(ctx.attempt))),
        _ => None,
    };
    Problem {
        reason,
        action,
        scope,
        title: reason.title().to_owned(),
        explanation: explanation.to_owned(),
        code: error.code,
        subcode: error.subcode,
        http_status: error.http_status,
        // Already scrubbed by the client; token-shaped text is dropped once
        // more here because a problem is what gets kept, shown and printed.
        message: scrub_token_like(&error.message),
        user_title: error.user_title.as_deref().map(scrub_token_like),
        user_msg: error.user_msg.as_deref().map(scrub_token_like),
        fbtrace_id: error.fbtrace_id.clone(),
        retry_at,
        action_url: None,
        at: ctx.now,
    }
}

fn to_chrono(d: Duration) -> ChronoDuration {
    ChronoDuration::from_std(d.min(crate::graph::usage::MAX_WAIT))
        .unwrap_or(ChronoDuration::minutes(5))
}

/// Every failure Adkeep tells apart. `case_of` picks one from the codes;
/// `CASES` says what each means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Case {
    Offline,
    NoAnswer,
    UnsafeAnswer,
    ServerError,
    Policy,
    RateLimit,
    TosNotAccepted,
    Expired,
    PasswordChanged,
    LoggedOut,
    AppRemoved,
    Invalidated,
    Checkpoint,
    ConfirmAccount,
    RoleRemoved,
    LacksPermissionTokenOk,
    NoLongerAccepted,
    SessionInvalid,
    VersionRetired,
    AppSettingsChanged,
    DevelopmentAccess,
    PermissionMissing,
    AccountUnshared,
    PermissionsRefused,
    Temporary,
    Unrecognised,
}

/// Whose problem a case is: always the login's, or as the request was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScopeRule {
    Token,
    AsAsked,
}

/// What one case means: the reason, its action, its scope and the words.
#[derive(Debug, Clone, Copy)]
pub struct Meaning {
    pub case: Case,
    pub reason: Reason,
    pub action: Action,
    pub scope: ScopeRule,
    pub explanation: &'static str,
}

const fn meaning(
    case: Case,
    reason: Reason,
    action: Action,
    scope: ScopeRule,
    explanation: &'static str,
) -> Meaning {
    Meaning {
        case,
        reason,
        action,
        scope,
        explanation,
    }
}

const TEMPORARY: &str = "Meta reported a temporary error. This is not a problem with your login; Adkeep tries again by itself.";

/// The one table: every case, once (a test walks it).
#[rustfmt::skip]
pub const CASES: [Meaning; 26] = {
    use Action::*;
    use Case::*;
    use Reason::*;
    use ScopeRule::{AsAsked, Token};
    [
        meaning(Case::Offline, Reason::Offline, Refresh, AsAsked, "Adkeep can't reach Facebook right now. It keeps showing the last data it has and tries again by itself."),
        meaning(NoAnswer, Transient, Refresh, AsAsked, "Facebook didn't answer in time or sent an incomplete reply. This is not a problem with your login; Adkeep tries again by itself."),
        meaning(UnsafeAnswer, Transient, Refresh, AsAsked, "Facebook's answer could not be used safely (the details say why), so Adkeep stopped reading there. Your login is fine and the last data stays; Adkeep tries again later."),
        meaning(ServerError, Transient, Refresh, AsAsked, "Facebook answered with a server error. This is not a problem with your login; Adkeep tries again by itself."),
        meaning(Policy, PolicyViolation, OpenAccountQuality, AsAsked, "Meta restricted this login or account for a policy reason. Review it and, if you disagree, request a review in Account Quality."),
        meaning(RateLimit, RateLimited, Wait, AsAsked, "Meta limits how many requests an app may make. Your login is fine: Adkeep waits until Meta allows access again and then continues by itself."),
        meaning(TosNotAccepted, PermissionsChanged, AcceptTos, AsAsked, "Meta's terms for this ad account have not been accepted. Open the terms, accept them, then refresh."),
        meaning(Expired, TokenExpired, Reauthenticate, Token, "Facebook logins last a limited time and this one ran out. Reauthenticate to get a new one; your accounts and their data stay."),
        meaning(PasswordChanged, TokenRevoked, Reauthenticate, Token, "The Facebook password was changed, or Facebook reset the session for security reasons. Reauthenticate to continue."),
        meaning(LoggedOut, TokenRevoked, Reauthenticate, Token, "You were logged out of Facebook, which ended this login. Reauthenticate to continue."),
        meaning(AppRemoved, TokenRevoked, Reauthenticate, Token, "The Meta app was removed from your Facebook account's apps. Reauthenticate and allow it again."),
        meaning(Invalidated, TokenRevoked, Reauthenticate, Token, "Facebook invalidated this login. Reauthenticate to continue."),
        meaning(Checkpoint, SecurityCheckpoint, OpenFacebook, Token, "Facebook noticed unusual activity and wants you to confirm it's you. Log in at facebook.com, follow the steps there, then Reauthenticate."),
        meaning(ConfirmAccount, SecurityCheckpoint, OpenFacebook, Token, "Facebook needs you to confirm your account (email or phone). Do that at facebook.com, then Reauthenticate."),
        meaning(RoleRemoved, PermissionsChanged, Reauthenticate, AsAsked, "Your role on a Page or asset was removed. Ask its admin to restore it, then Reauthenticate."),
        meaning(LacksPermissionTokenOk, PermissionsChanged, Reauthenticate, AsAsked, "Your login works, but it lacks a permission this request needs. Reauthenticate and grant every permission Adkeep asks for."),
        meaning(NoLongerAccepted, TokenExpired, Reauthenticate, Token, "Facebook no longer accepts this login. Reauthenticate to get a new one; your accounts and their data stay."),
        meaning(SessionInvalid, TokenExpired, Reauthenticate, Token, "The Facebook session behind this login is no longer valid. Reauthenticate to get a new one."),
        meaning(VersionRetired, AppChanged, Refresh, Token, "Meta retired the API version Adkeep is set to use. Choose the newest version in Settings, then try again."),
        meaning(AppSettingsChanged, AppChanged, Reauthenticate, Token, "The Meta app's settings or access changed (it may have been deleted or lost a capability). Check the app in Meta's App Dashboard, then Reauthenticate."),
        meaning(DevelopmentAccess, AppChanged, Reauthenticate, Token, "The Meta app only has development access, which allows ad accounts of the app's own admins. Request Full access for the app, or log in as an app admin."),
        meaning(PermissionMissing, PermissionsChanged, Reauthenticate, AsAsked, "A permission or role this needs is missing or was declined. Reauthenticate and grant it, or ask the ad account's admin for a role."),
        meaning(AccountUnshared, PermissionsChanged, Reauthenticate, AsAsked, "This ad account can no longer be read with your login: it may have been unshared or your role removed. Ask its admin, or Reauthenticate to include it."),
        meaning(PermissionsRefused, PermissionsChanged, Reauthenticate, AsAsked, "Meta refused the request for missing permissions. Reauthenticate and grant every permission Adkeep asks for."),
        meaning(Temporary, Transient, Refresh, AsAsked, TEMPORARY),
        meaning(Unrecognised, Transient, Refresh, AsAsked, "Meta returned an error Adkeep doesn't recognise. Try again; if it keeps happening, copy the details below for Meta support."),
    ]
};

impl Case {
    /// What this case means (every case has its row: see the tests).
    pub fn meaning(self) -> &'static Meaning {
        CASES
            .iter()
            .find(|m| m.case == self)
            .unwrap_or(&CASES[CASES.len() - 1])
    }
}

type Decision = (Reason, Action, Scope, &'static str);

fn decide(error: &GraphError, ctx: &Context) -> Decision {
    let case = case_of(error, ctx);
    let meaning = case.meaning();
    let code = error.code.unwrap_or(0);
    let scope = match meaning.scope {
        ScopeRule::Token => Scope::Token,
        // The policy code 368 and the app-wide limit (4 without a subcode)
        // are the login's whatever was asked.
        ScopeRule::AsAsked if case == Case::Policy && code == 368 => Scope::Token,
        ScopeRule::AsAsked
            if case == Case::RateLimit && code == 4 && error.subcode.unwrap_or(0) == 0 =>
        {
            Scope::Token
        }
        ScopeRule::AsAsked => ctx.scope,
    };
    (meaning.reason, meaning.action, scope, meaning.explanation)
}

/// Which case a failure is, by its kind, code and subcode (never its text).
pub fn case_of(error: &GraphError, ctx: &Context) -> Case {
    match error.kind {
        FailureKind::Offline => return Case::Offline,
        FailureKind::Timeout | FailureKind::Malformed => return Case::NoAnswer,
        FailureKind::Refused | FailureKind::TooLarge => return Case::UnsafeAnswer,
        FailureKind::Http if error.code.is_none() => return Case::ServerError,
        _ => {}
    }
    let code = error.code.unwrap_or(0);
    let subcode = error.subcode.unwrap_or(0);
    if POLICY_SUBCODES.contains(&subcode) || code == 368 {
        return Case::Policy;
    }
    if is_rate_limit_code(code) {
        return Case::RateLimit;
    }
    if code == 200 && TOS_SUBCODES.contains(&subcode) {
        return Case::TosNotAccepted;
    }
    match code {
        190 => token_case(subcode, ctx.token_ok),
        102 => Case::SessionInvalid,
        2635 => Case::VersionRetired,
        101 | 3 => Case::AppSettingsChanged,
        270 => Case::DevelopmentAccess,
        10 | 200..=299 => Case::PermissionMissing,
        100 if subcode == 33 => Case::AccountUnshared,
        100 => Case::PermissionsRefused,
        1 | 2 | 960 | 104 => Case::Temporary,
        _ if error.is_transient == Some(true) || error.http_status.is_some_and(|s| s >= 500) => {
            Case::Temporary
        }
        _ => Case::Unrecognised,
    }
}

/// Code 190 by its subcode (`token_ok`: what a `/me` probe said).
fn token_case(subcode: i64, token_ok: Option<bool>) -> Case {
    match subcode {
        463 => Case::Expired,
        460 => Case::PasswordChanged,
        467 => Case::LoggedOut,
        458 => Case::AppRemoved,
        459 => Case::Checkpoint,
        464 => Case::ConfirmAccount,
        492 => Case::RoleRemoved,
        0 if token_ok == Some(true) => Case::LacksPermissionTokenOk,
        0 => Case::NoLongerAccepted,
        _ => Case::Invalidated,
    }
}

/// A problem Adkeep found itself rather than from a failed call (for example
/// a required scope that `/me/permissions` lists as declined).
pub fn declined_scopes(scopes: &[String], now: DateTime<Utc>) -> Problem {
    Problem {
        reason: Reason::PermissionsChanged,
        action: Action::Reauthenticate,
        scope: Scope::Token,
        title: Reason::PermissionsChanged.title().to_owned(),
        explanation: format!(
            "This login doesn't have {}. Reauthenticate and allow {} so Adkeep can read your ad accounts.",
            scopes.join(", "),
            if scopes.len() == 1 { "it" } else { "them" }
        ),
        code: None,
        subcode: None,
        http_status: None,
        message: format!("not granted: {}", scopes.join(", ")),
        user_title: None,
        user_msg: None,
        fbtrace_id: None,
        retry_at: None,
        action_url: None,
        at: now,
    }
}

/// A refresh-all whose lists could not all be read (unreadable items, a
/// business whose accounts failed): passing, and not a login problem.
pub fn incomplete_listing(unreadable: usize, now: DateTime<Utc>) -> Problem {
    let message = if unreadable > 0 {
        format!("{unreadable} listed ad account(s) could not be read")
    } else {
        "a list of ad accounts could not be read completely".to_owned()
    };
    let mut problem = classify(
        &GraphError::malformed(200, message),
        &Context::new(Scope::Token, now),
    );
    problem.explanation = "Not every ad account Meta listed could be read, so Adkeep could not refresh them all. Your login is fine; Adkeep tries again by itself.".to_owned();
    problem
}

impl Problem {
    /// Fills `action_url` for the actions that lead to a page on Facebook.
    pub fn with_links(
        mut self,
        facebook_base: &url::Url,
        account_numeric_id: Option<&str>,
    ) -> Self {
        let join = |path: &str| facebook_base.join(path).ok().map(String::from);
        self.action_url = match self.action {
            Action::OpenFacebook => join("/"),
            Action::OpenAccountQuality => join("/accountquality"),
            Action::AcceptTos => {
                let mut url = facebook_base
                    .join("/ads/manage/customaudiences/tos.php")
                    .ok();
                if let (Some(url), Some(id)) = (url.as_mut(), account_numeric_id) {
                    url.query_pairs_mut().append_pair("act", id);
                }
                url.map(String::from)
            }
            _ => None,
        };
        self
    }
}

#[cfg(test)]
#[path = "problem_tests.rs"]
mod tests;
