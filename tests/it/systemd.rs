//! `deploy/blog.service`: the settings the deployment guide relies on, and systemd's
//! own check of the unit with `systemd-analyze` (Debian's `systemd`, which `.ci/run`
//! installs): skipped without it, except on CI where that fails.

use std::process::Command;

const UNIT: &str = include_str!("../../deploy/blog.service");

/// `key=value` lines of the unit, comments left out.
fn settings() -> Vec<(&'static str, &'static str)> {
    UNIT.lines()
        .map(str::trim)
        .filter(|l| !l.starts_with('#') && !l.starts_with('['))
        .filter_map(|l| l.split_once('='))
        .collect()
}

fn value(key: &str) -> Option<&'static str> {
    settings()
        .into_iter()
        .find(|(k, _)| *k == key)
        .map(|(_, v)| v)
}

#[test]
fn the_unit_runs_blog_unprivileged_with_the_key_from_an_environment_file() {
    for (key, expected) in [
        ("User", "blog"),
        (
            "ExecStart",
            "/usr/local/bin/blog serve --config /etc/blog/blog.toml",
        ),
        ("EnvironmentFile", "/etc/blog/env"),
        ("WorkingDirectory", "/var/lib/blog"),
        ("KillSignal", "SIGTERM"),
        ("TimeoutStopSec", "30"),
        ("Restart", "on-failure"),
        ("NoNewPrivileges", "true"),
        ("ProtectSystem", "strict"),
        ("ReadWritePaths", "/var/lib/blog"),
        ("ProtectHome", "true"),
        ("PrivateTmp", "true"),
        ("PrivateDevices", "true"),
        ("ProtectKernelTunables", "true"),
        ("ProtectKernelModules", "true"),
        ("RestrictAddressFamilies", "AF_INET AF_INET6 AF_UNIX"),
        ("MemoryDenyWriteExecute", "true"),
        ("LockPersonality", "true"),
        ("RestrictNamespaces", "true"),
        ("SystemCallFilter", "@system-service"),
        ("CapabilityBoundingSet", ""),
    ] {
        assert_eq!(value(key), Some(expected), "{key} in deploy/blog.service");
    }
}

#[test]
fn systemd_analyze_accepts_the_unit() {
    let available = Command::new("systemd-analyze")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !available {
        assert_ne!(
            std::env::var("CI").as_deref(),
            Ok("true"),
            "systemd-analyze is not installed, and CI must check the unit with it: \
             apt-get install systemd (.ci/run does)"
        );
        eprintln!("skipped: systemd-analyze not installed (apt-get install systemd)");
        return;
    }
    // The same unit, pointed at the binary under test: verify checks that it exists.
    let dir = tempfile::tempdir().unwrap();
    let unit = UNIT.replace("/usr/local/bin/blog", env!("CARGO_BIN_EXE_blog"));
    let path = dir.path().join("blog.service");
    std::fs::write(&path, unit).unwrap();
    let output = Command::new("systemd-analyze")
        .arg("verify")
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "systemd-analyze verify: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// `deploy/blog-litestream.service`: blog as Litestream's child, restoring itself on
/// an empty machine, with the same user, key file and folder as `blog.service`.
#[test]
fn the_litestream_unit_restores_an_empty_machine_and_runs_blog_as_its_child() {
    let unit = include_str!("../../deploy/blog-litestream.service");
    let exec = unit
        .lines()
        .find_map(|l| l.strip_prefix("ExecStart="))
        .expect("an ExecStart line");
    assert!(
        exec.starts_with("/usr/local/bin/litestream replicate -config /etc/litestream.yml"),
        "{exec}"
    );
    assert!(exec.contains(" -restore-if-db-not-exists "), "{exec}");
    assert!(
        exec.ends_with(" -exec \"/usr/local/bin/blog serve --config /etc/blog/blog.toml\""),
        "{exec}"
    );
    for line in [
        "User=blog",
        "EnvironmentFile=/etc/blog/env",
        "WorkingDirectory=/var/lib/blog",
        "ProtectSystem=strict",
        "KillSignal=SIGTERM",
    ] {
        assert!(unit.lines().any(|l| l == line), "{line}");
    }
    assert!(unit.contains("replication = \"litestream\""));
}
