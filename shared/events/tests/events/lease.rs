//! Leases between replicas of a service, on both engines: one holder at a time, handed over at
//! once when the holder gives it up, taken over when it expires, and a job run by one replica
//! at a time.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use events::lease::{Lease, one_replica_at_a_time};
use storage::Db;
use testkit::TestDatabase;
use tokio_util::sync::CancellationToken;

use crate::backbone::{Rig, SERVICE};

async fn one_holder_at_a_time(db: Db) {
    let lasts = Duration::from_millis(600);
    let first = Lease::new(SERVICE, "test-job", db.clone(), lasts);
    let second = Lease::new(SERVICE, "test-job", db.clone(), lasts);
    let unrelated = Lease::new(SERVICE, "other-job", db.clone(), lasts);
    assert!(first.hold().await.unwrap(), "a new lease is free");
    assert!(!second.hold().await.unwrap(), "held by the first");
    assert!(unrelated.hold().await.unwrap(), "another name is another lease");
    assert!(first.hold().await.unwrap(), "the holder keeps it");

    first.give_up().await;
    assert!(second.hold().await.unwrap(), "given up, it is taken at once");
    assert!(!first.hold().await.unwrap());

    // The holder dies without giving it up: the lease is taken once it expires, not before.
    drop(second);
    assert!(!first.hold().await.unwrap());
    testkit::eventually("the dead holder's lease expires", Duration::from_secs(5), || {
        let first = &first;
        async move { first.hold().await.unwrap() }
    })
    .await;
}

async fn a_job_runs_on_one_replica_at_a_time(db: Db) {
    let runs: [Arc<AtomicUsize>; 2] = Default::default();
    let stops: [CancellationToken; 2] = Default::default();
    let replicas: Vec<_> = (0..2)
        .map(|replica| {
            let runs = runs[replica].clone();
            tokio::spawn(one_replica_at_a_time(
                SERVICE,
                "test-sweeper",
                db.clone(),
                Duration::from_millis(50),
                stops[replica].clone(),
                move || {
                    let runs = runs.clone();
                    async move {
                        runs.fetch_add(1, Ordering::SeqCst);
                        Duration::from_millis(50)
                    }
                },
            ))
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(600)).await;
    let (a, b) = (runs[0].load(Ordering::SeqCst), runs[1].load(Ordering::SeqCst));
    assert!(a + b >= 3, "the job ran: {a} + {b}");
    assert!(a == 0 || b == 0, "both replicas ran the job: {a} and {b}");
    let holder = usize::from(a == 0);
    let standby = 1 - holder;

    // The holder stops (gives the lease up): the other replica goes on with the job.
    stops[holder].cancel();
    let before = runs[standby].load(Ordering::SeqCst);
    testkit::eventually(
        "the standby replica takes the job over",
        Duration::from_secs(5),
        || {
            let runs = runs[standby].clone();
            async move { runs.load(Ordering::SeqCst) > before }
        },
    )
    .await;
    stops[standby].cancel();
    for replica in replicas {
        replica.await.unwrap();
    }
}

#[tokio::test]
async fn a_lease_has_one_holder_at_a_time_on_sqlite() {
    let rig = Rig::new(TestDatabase::sqlite()).await;
    one_holder_at_a_time(rig.db.clone()).await;
    a_job_runs_on_one_replica_at_a_time(rig.db.clone()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lease_has_one_holder_at_a_time_on_mariadb() {
    let Some(database) = TestDatabase::mysql().await else {
        return;
    };
    let rig = Rig::new(database).await;
    one_holder_at_a_time(rig.db.clone()).await;
    a_job_runs_on_one_replica_at_a_time(rig.db.clone()).await;
}
