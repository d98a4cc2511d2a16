use super::*;
use serde_json::json;

fn now() -> DateTime<Utc> {
    Utc::now()
}

#[test]
fn decodes_the_reference_sample() {
    let value = json!({
        "id": "act_607930781508916", "account_id": "607930781508916",
        "name": "Pareto's Ad Account", "account_status": 1, "disable_reason": 0,
        "currency": "ZAR", "timezone_name": "Africa/Johannesburg",
        "amount_spent": "123456", "spend_cap": "0", "balance": "0",
        "business": {"id": "607930781508916", "name": "Pareto Marketing Automation"},
        "owner": "607930781508916",
        "user_tasks": ["DRAFT", "ANALYZE", "ADVERTISE", "MANAGE"],
        "tos_accepted": {"custom_audience_tos": 1, "web_custom_audience_tos": 1},
        "is_prepay_account": false, "created_time": "2023-08-28T20:36:13+0200"
    });
    let a = decode_account(&value, now()).unwrap().account;
    assert_eq!(a.id, "act_607930781508916");
    assert_eq!(a.status, AccountStatus::Active);
    assert_eq!(a.amount_spent.unwrap().to_string(), "1234.56");
    assert_eq!(a.spend_cap, None, "0 means no cap");
    assert_eq!(a.balance.unwrap().to_string(), "0.00");
    assert_eq!(
        a.spend_today.unwrap().to_string(),
        "0.00",
        "no insights rows means 0"
    );
    assert_eq!(
        a.tos_accepted,
        vec!["custom_audience_tos", "web_custom_audience_tos"]
    );
    assert_eq!(a.business.unwrap().name, "Pareto Marketing Automation");
    assert_eq!(a.tasks.len(), 4);
    assert!(a.field_errors.is_empty());
}

#[test]
fn decodes_nested_datasets_and_today_spend() {
    let value = json!({
        "id": "act_1", "currency": "JPY", "amount_spent": "150000", "spend_cap": "500000",
        "adspixels": {"data": [
            {"id": "11", "name": "Shop", "last_fired_time": "2026-10-01T12:00:00+0000", "is_unavailable": false},
            {"id": "12", "name": "Old", "is_unavailable": true}
        ], "paging": {"cursors": {"after": "x"}, "next": "https://graph.facebook.com/v27.0/act_1/adspixels?after=x"}},
        "insights": {"data": [{"spend": "1234", "date_start": "2026-11-27", "date_stop": "2026-11-27"}]}
    });
    let fetched = decode_account(&value, now()).unwrap();
    let a = fetched.account;
    assert_eq!(a.amount_spent.unwrap().to_string(), "150000");
    assert_eq!(a.spend_cap.unwrap().to_string(), "500000");
    assert_eq!(a.spend_today.unwrap().to_string(), "1234");
    assert_eq!(a.datasets.len(), 2);
    assert_eq!(
        a.datasets[0].last_fired_time.unwrap().to_rfc3339(),
        "2026-10-01T12:00:00+00:00"
    );
    assert!(a.datasets[1].is_unavailable);
    assert!(a.datasets[1].last_fired_time.is_none());
    assert!(fetched.more_datasets.is_some());
}

#[test]
fn tolerates_strings_for_numbers_and_unknown_fields() {
    let value = json!({"id": "act_2", "account_status": "3", "disable_reason": "3", "amount_spent": 250, "new_field": {"x": 1}});
    let a = decode_account(&value, now()).unwrap().account;
    assert_eq!(a.status, AccountStatus::Unsettled);
    assert_eq!(a.disable_reason, DisableReason::RiskPayment);
    assert_eq!(a.amount_spent.unwrap().to_string(), "2.50");
    assert_eq!(a.name, "act_2");
}

#[test]
fn wrong_types_leave_the_field_unknown_not_the_account_lost() {
    let value = json!({
        "id": 77, "name": {"x": 1}, "account_status": [1], "currency": 5,
        "business": "b", "user_tasks": "MANAGE", "tos_accepted": 1, "adspixels": null,
        "timezone_name": null
    });
    let a = decode_account(&value, now()).unwrap().account;
    assert_eq!(a.id, "act_77");
    assert_eq!(a.name, "act_77");
    assert_eq!(a.status, AccountStatus::Unknown);
    assert!(a.business.is_none() && a.tasks.is_empty() && a.datasets.is_empty());
}

#[test]
fn bad_money_is_a_field_error_not_zero() {
    let value = json!({"id": "act_3", "amount_spent": "12.x", "balance": {"v": 1}});
    let a = decode_account(&value, now()).unwrap().account;
    assert_eq!(a.amount_spent, None);
    assert_eq!(a.balance, None);
    let fields: Vec<&str> = a.field_errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["amount_spent", "balance"]);
}

#[test]
fn overflowing_spend_is_a_field_error_not_a_panic() {
    let max = Decimal::MAX.to_string();
    let value = json!({"id": "act_4", "insights": {"data": [{"spend": max}, {"spend": max}]}});
    let a = decode_account(&value, now()).unwrap().account;
    assert_eq!(a.spend_today, None);
    assert_eq!(a.field_errors[0].field, "spend_today");
    let garbage = json!({"data": [{"spend": "1.00"}, {"nospend": true}]});
    assert!(
        sum_spend(Some(&garbage), "USD").is_err(),
        "a row left out is not a sum"
    );
}

#[test]
fn rejects_objects_without_a_usable_id() {
    assert!(decode_account(&json!({"name": "x"}), now()).is_err());
    assert!(decode_account(&json!({"id": "page_1"}), now()).is_err());
    assert!(decode_account(&json!("act_1"), now()).is_err());
}

#[test]
fn long_texts_are_bounded() {
    let value = json!({"id": "act_5", "name": "x".repeat(100_000)});
    let a = decode_account(&value, now()).unwrap().account;
    assert!(a.name.len() < 1_000);
}

#[test]
fn permissions_are_grouped_by_status() {
    let rows: Vec<PermissionWire> = serde_json::from_value(json!([
        {"permission": "ads_read", "status": "granted"},
        {"permission": "ads_management", "status": "granted"},
        {"permission": "business_management", "status": "declined"},
        {"permission": "public_profile", "status": "granted"},
        {"permission": "email", "status": "expired"},
        {"permission": 5, "status": "granted"}
    ]))
    .unwrap();
    let mut p = Permissions::default();
    permissions(&rows, &mut p);
    assert_eq!(
        p.granted,
        vec!["ads_read", "ads_management", "public_profile"]
    );
    assert_eq!(p.declined, vec!["business_management"]);
    assert_eq!(p.expired, vec!["email"]);
}

#[test]
fn spend_sums_rows_exactly() {
    let insights = json!({"data": [{"spend": "0.1"}, {"spend": "0.2"}]});
    assert_eq!(
        sum_spend(Some(&insights), "USD").unwrap().to_string(),
        "0.30"
    );
    assert_eq!(sum_spend(None, "KRW").unwrap().to_string(), "0");
}

#[test]
fn profiles_read_id_and_name() {
    let p = decode_profile(&json!({"id": "10", "name": "Jane"})).unwrap();
    assert_eq!((p.id.as_str(), p.name.as_str()), ("10", "Jane"));
    assert!(decode_profile(&json!({"name": "x"})).is_none());
}
