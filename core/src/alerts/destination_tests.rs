use super::*;

#[test]
fn webhook_addresses_are_https_or_this_computer() {
    assert!(check_url("https://hooks.slack.com/services/T0/B0/xyz").is_ok());
    for local in [
        "http://127.0.0.1:8080/x",
        "http://127.9.9.9/",
        "http://[::1]:9/",
        "http://localhost/",
    ] {
        assert!(check_url(local).is_ok(), "{local}");
    }
    for bad in [
        "http://hooks.example.com/x",
        "http://10.0.0.1/",
        "ftp://example.com/",
        "https://user:pw@example.com/",
        "javascript:alert(1)",
        "hooks.slack.com/services/x",
    ] {
        assert!(check_url(bad).is_err(), "{bad}");
    }
}

#[test]
fn an_error_never_repeats_a_secret_address() {
    let secret = "http://hooks.example.com/services/T00/B00/SECRETSECRETSECRET";
    let error = check_url(secret).unwrap_err().to_string();
    assert!(!error.contains("SECRET"), "{error}");
    let error = check_url("not a url SECRETSECRETSECRET")
        .unwrap_err()
        .to_string();
    assert!(!error.contains("SECRETSECRET"), "{error}");
}

#[test]
fn smtp_needs_tls_except_on_this_computer() {
    let tls = parse_smtp("smtps://mail.example.com").unwrap();
    assert_eq!((tls.port, tls.security), (465, SmtpSecurity::ImplicitTls));
    let starttls = parse_smtp("smtp://mail.example.com:2587").unwrap();
    assert_eq!(
        (starttls.port, starttls.security),
        (2587, SmtpSecurity::StartTls)
    );
    let local = parse_smtp("smtp://127.0.0.1:2525").unwrap();
    assert_eq!(local.security, SmtpSecurity::Loopback);
    for bad in [
        "http://mail.example.com",
        "smtp://",
        "smtp://a@mail.example.com",
        "smtp://h/path",
    ] {
        assert!(parse_smtp(bad).is_err(), "{bad}");
    }
}

#[test]
fn destinations_are_checked_whole() {
    let now = Utc::now();
    let email = |to: Vec<&str>, from: &str| Target::Email {
        smtp: parse_smtp("smtp://127.0.0.1:25").unwrap(),
        to: to.into_iter().map(String::from).collect(),
        from: from.to_owned(),
        user: None,
        password: None,
    };
    assert!(
        Destination::new(
            email(vec!["ops@example.com"], "adkeep@example.com"),
            Rules::default(),
            now
        )
        .is_ok()
    );
    assert_eq!(
        Destination::new(email(vec![], "adkeep@example.com"), Rules::default(), now).unwrap_err(),
        DestinationError::NoRecipient
    );
    assert!(
        Destination::new(
            email(vec!["ops@example.com\r\nBcc: x@evil"], "a@example.com"),
            Rules::default(),
            now
        )
        .is_err()
    );
    let reminds_at_once = Rules {
        remind_after_secs: Some(5),
        ..Rules::default()
    };
    let slack = Target::Slack {
        url: SecretRef::Keychain,
    };
    assert_eq!(
        Destination::new(slack.clone(), reminds_at_once, now).unwrap_err(),
        DestinationError::RemindTooSoon
    );
    let pasted = Target::Slack {
        url: SecretRef::Env {
            var: "https://hooks.slack.com/x".into(),
        },
    };
    assert!(Destination::new(pasted, Rules::default(), now).is_err());
    let made = Destination::new(slack, Rules::default(), now).unwrap();
    assert!(
        made.id.starts_with('d') && made.id.len() == 9,
        "{}",
        made.id
    );
}

#[test]
fn descriptions_never_show_a_secret() {
    let webhook = Target::Webhook {
        url: "https://hooks.example.com/in/TOKEN123?key=SECRET".into(),
        secret: Some(SecretRef::Env {
            var: "HOOK_SECRET".into(),
        }),
    };
    let words = webhook.describe();
    assert!(
        !words.contains("TOKEN123") && !words.contains("SECRET="),
        "{words}"
    );
    assert!(
        words.contains("https://hooks.example.com/…") && words.contains("$HOOK_SECRET"),
        "{words}"
    );
    let slack = Target::Slack {
        url: SecretRef::Keychain,
    }
    .describe();
    assert_eq!(slack, "Slack (webhook URL in the keychain)");
}
