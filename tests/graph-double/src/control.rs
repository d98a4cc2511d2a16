//! `/__double/…`: the control API, for tests and people driving the double
//! from outside its process. Everything here is also a method on `GraphDouble`.

use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use chrono::Duration;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::state::{Fault, Scenario, Shared};
use crate::world::{DEFAULT_SCOPES, DEFAULT_USER, TokenState};

type Shared_ = State<Arc<Shared>>;

pub fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/__double/health", get(|| async { "ok" }))
        .route("/__double/scenario", post(scenario))
        .route("/__double/knobs", get(knobs_get).post(knobs_set))
        .route("/__double/faults", post(fault_add).delete(faults_clear))
        .route("/__double/token", post(token))
        .route("/__double/token_state", post(token_state))
        .route("/__double/grant", post(grant))
        .route("/__double/revoke", post(revoke))
        .route(
            "/__double/account/{id}",
            get(account_get).post(account_patch),
        )
        .route("/__double/accounts", get(accounts))
        .route("/__double/stats", get(stats))
        .route("/__double/stats/reset", post(stats_reset))
}

#[derive(Deserialize)]
struct ScenarioBody {
    scenario: Scenario,
}

async fn scenario(
    State(shared): Shared_,
    Json(body): Json<ScenarioBody>,
) -> (StatusCode, Json<Value>) {
    if body.scenario == Scenario::Offline {
        return (
            StatusCode::BAD_REQUEST,
            Json(
                json!({"error": "offline closes this port: use GraphDouble::set_offline, or --offline-after with the binary"}),
            ),
        );
    }
    shared.apply_scenario(body.scenario);
    (StatusCode::OK, Json(json!({"scenario": body.scenario})))
}

async fn knobs_get(State(shared): Shared_) -> Json<Value> {
    Json(serde_json::to_value(&*shared.knobs()).unwrap_or(Value::Null))
}

/// Merges a partial knobs object (`{"latency_ms": 100}`).
async fn knobs_set(State(shared): Shared_, Json(patch): Json<Value>) -> (StatusCode, Json<Value>) {
    let mut knobs = shared.knobs();
    let mut current = serde_json::to_value(&*knobs).unwrap_or(Value::Null);
    merge(&mut current, patch);
    match serde_json::from_value(current.clone()) {
        Ok(updated) => {
            *knobs = updated;
            (StatusCode::OK, Json(current))
        }
        Err(e) => (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": e.to_string()})),
        ),
    }
}

fn merge(target: &mut Value, patch: Value) {
    match (target, patch) {
        (Value::Object(target), Value::Object(patch)) => {
            for (k, v) in patch {
                merge(target.entry(k).or_insert(Value::Null), v);
            }
        }
        (target, patch) => *target = patch,
    }
}

async fn fault_add(State(shared): Shared_, Json(fault): Json<Fault>) -> StatusCode {
    shared.knobs().faults.push(fault);
    StatusCode::OK
}

async fn faults_clear(State(shared): Shared_) -> StatusCode {
    shared.knobs().faults.clear();
    StatusCode::OK
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct TokenBody {
    user: Option<String>,
    scopes: Option<Vec<String>>,
    declined: Vec<String>,
    lifetime_secs: Option<i64>,
}

async fn token(State(shared): Shared_, body: Option<Json<TokenBody>>) -> Json<Value> {
    let body = body.map(|Json(b)| b).unwrap_or_default();
    let user = body.user.unwrap_or_else(|| DEFAULT_USER.to_owned());
    let scopes: Vec<String> = body
        .scopes
        .unwrap_or_else(|| DEFAULT_SCOPES.iter().map(|s| s.to_string()).collect());
    let granted: Vec<&str> = scopes.iter().map(String::as_str).collect();
    let declined: Vec<&str> = body.declined.iter().map(String::as_str).collect();
    let lifetime = body.lifetime_secs.unwrap_or(60 * 86_400);
    let token = shared
        .world()
        .issue_token(&user, &granted, &declined, Duration::seconds(lifetime));
    Json(json!({"access_token": token, "token_type": "bearer", "expires_in": lifetime}))
}

#[derive(Deserialize)]
struct TokenStateBody {
    #[serde(default)]
    user: Option<String>,
    state: TokenState,
}

/// One user's tokens break (or work again); other users' are untouched.
async fn token_state(State(shared): Shared_, Json(body): Json<TokenStateBody>) -> StatusCode {
    let user = body.user.unwrap_or_else(|| DEFAULT_USER.to_owned());
    for token in shared.world().tokens.values_mut() {
        if token.user_id == user {
            token.state = body.state;
        }
    }
    StatusCode::OK
}

#[derive(Deserialize)]
struct GrantBody {
    #[serde(default)]
    user: Option<String>,
    accounts: Vec<String>,
    /// Grant at the next login (the dialog's asset picker) instead of now.
    #[serde(default)]
    on_next_login: bool,
}

async fn grant(State(shared): Shared_, Json(body): Json<GrantBody>) -> StatusCode {
    let user = body.user.unwrap_or_else(|| DEFAULT_USER.to_owned());
    let ids: Vec<String> = body
        .accounts
        .iter()
        .map(|a| a.trim_start_matches("act_").to_owned())
        .collect();
    if crate::grant(&shared, &user, &ids, body.on_next_login) {
        StatusCode::OK
    } else {
        StatusCode::NOT_FOUND
    }
}

async fn revoke(State(shared): Shared_, Json(body): Json<GrantBody>) -> StatusCode {
    let user = body.user.unwrap_or_else(|| DEFAULT_USER.to_owned());
    let mut world = shared.world();
    let Some(u) = world.users.get_mut(&user) else {
        return StatusCode::NOT_FOUND;
    };
    for id in &body.accounts {
        let id = id.trim_start_matches("act_");
        u.access.remove(id);
        u.unshared.insert(id.to_owned());
    }
    StatusCode::OK
}

async fn account_get(State(shared): Shared_, Path(id): Path<String>) -> (StatusCode, Json<Value>) {
    let world = shared.world();
    match world.accounts.get(id.trim_start_matches("act_")) {
        Some(a) => (
            StatusCode::OK,
            Json(serde_json::to_value(a).unwrap_or(Value::Null)),
        ),
        None => (StatusCode::NOT_FOUND, Json(Value::Null)),
    }
}

/// Merges fields into one account (`{"name": "…", "amount_spent": 123}`).
async fn account_patch(
    State(shared): Shared_,
    Path(id): Path<String>,
    Json(patch): Json<Value>,
) -> (StatusCode, Json<Value>) {
    let mut world = shared.world();
    let Some(account) = world.accounts.get_mut(id.trim_start_matches("act_")) else {
        return (StatusCode::NOT_FOUND, Json(Value::Null));
    };
    let mut current = serde_json::to_value(&*account).unwrap_or(Value::Null);
    merge(&mut current, patch);
    match serde_json::from_value(current.clone()) {
        Ok(updated) => {
            *account = updated;
            (StatusCode::OK, Json(current))
        }
        Err(e) => (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": e.to_string()})),
        ),
    }
}

async fn accounts(State(shared): Shared_) -> Json<Value> {
    let world = shared.world();
    Json(serde_json::to_value(world.accounts.values().collect::<Vec<_>>()).unwrap_or(Value::Null))
}

async fn stats(State(shared): Shared_) -> Json<Value> {
    Json(serde_json::to_value(shared.stats.snapshot()).unwrap_or(Value::Null))
}

async fn stats_reset(State(shared): Shared_) -> StatusCode {
    shared.stats.reset();
    StatusCode::OK
}
