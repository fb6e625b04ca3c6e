//! Synth benchmarks: the default app, fleets of 10 / 100 / 1,000 members over 10 regions, config parsing and
//! template serialization. Before the timed runs, one run of each case reports the heap it peaks at (counted by
//! this binary's allocator), so `cargo bench --bench synth` gives time and memory together.
//! The figures and the machine they were taken on are in docs/performance.md.

use criterion::{criterion_group, BenchmarkId, Criterion, Throughput};
use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering};

use constructs::core::template::to_body;
use constructs::core::CloudAssembly;
use constructs::karmada::config::{MemberConfig, STARTER};
use constructs::karmada::{Config, KarmadaApp};

const REGIONS: [&str; 10] = [
    "us-east-1",
    "us-east-2",
    "us-west-2",
    "eu-central-1",
    "eu-west-1",
    "eu-north-1",
    "ap-northeast-1",
    "ap-southeast-1",
    "ap-south-1",
    "sa-east-1",
];
const FLEETS: [usize; 3] = [10, 100, 1000];

/// The system allocator, counting live and peak heap bytes.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            let live = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(live, Ordering::Relaxed);
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let new = unsafe { System.realloc(ptr, layout, new_size) };
        if !new.is_null() {
            if new_size >= layout.size() {
                let live = LIVE.fetch_add(new_size - layout.size(), Ordering::Relaxed) + new_size - layout.size();
                PEAK.fetch_max(live, Ordering::Relaxed);
            } else {
                LIVE.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
            }
        }
        new
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Heap bytes `f` holds at its peak beyond what was live before it ran.
fn peak_heap<T>(f: impl FnOnce() -> T) -> usize {
    let before = LIVE.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    drop(black_box(f()));
    PEAK.load(Ordering::Relaxed) - before
}

/// `members` member clusters dealt round-robin over 10 regions.
fn fleet(members: usize) -> Config {
    Config {
        members: (0..members).map(|i| MemberConfig::new(&format!("member-{i:04}"), REGIONS[i % 10], 1)).collect(),
        ..Config::default()
    }
}

/// The config as a user writes it: the starter file plus one `[[members]]` table per member.
fn fleet_toml(members: usize) -> String {
    let mut text = STARTER.split("[[members]]").next().unwrap_or(STARTER).to_string();
    for i in 0..members {
        text += &format!("[[members]]\nname = \"member-{i:04}\"\nregion = \"{}\"\nweight = 1\n\n", REGIONS[i % 10]);
    }
    text
}

fn synth(config: &Config) -> CloudAssembly {
    KarmadaApp::new(config).expect("the benchmark configs build").synth().expect("the benchmark configs synthesize")
}

fn report_memory() {
    eprintln!("peak heap of one run (bytes above the baseline):");
    eprintln!("  synth/default          {:>10}", peak_heap(|| synth(&Config::default())));
    for members in FLEETS {
        let config = fleet(members);
        eprintln!("  synth/members/{members:<8} {:>10}", peak_heap(|| synth(&config)));
    }
    let text = fleet_toml(1000);
    eprintln!("  config_parse/1000      {:>10}", peak_heap(|| Config::from_toml(&text)));
}

fn bench_synth(c: &mut Criterion) {
    c.bench_function("synth/default", |b| b.iter(|| synth(black_box(&Config::default()))));
    let mut group = c.benchmark_group("synth/members");
    for members in FLEETS {
        let config = fleet(members);
        group.throughput(Throughput::Elements(members as u64));
        group.bench_with_input(BenchmarkId::from_parameter(members), &config, |b, config| b.iter(|| synth(config)));
    }
    group.finish();
}

fn bench_config_parse(c: &mut Criterion) {
    let mut group = c.benchmark_group("config_parse");
    group.bench_function("starter", |b| b.iter(|| Config::from_toml(black_box(STARTER)).expect("valid")));
    let text = fleet_toml(1000);
    group.bench_function("members/1000", |b| b.iter(|| Config::from_toml(black_box(&text)).expect("valid")));
    group.finish();
}

fn bench_serialize(c: &mut Criterion) {
    let assembly = synth(&Config::default());
    let largest = assembly.stacks.iter().max_by_key(|s| s.template_body.len()).expect("stacks");
    let mut group = c.benchmark_group("serialize");
    group.throughput(Throughput::Bytes(largest.template_body.len() as u64));
    group.bench_function("largest_template", |b| b.iter(|| to_body(black_box(&largest.template))));
    group.bench_function("manifest", |b| b.iter(|| black_box(&assembly).manifest()));
    group.finish();
}

criterion_group!(benches, bench_synth, bench_config_parse, bench_serialize);

fn main() {
    report_memory();
    benches();
    Criterion::default().configure_from_args().final_summary();
}
