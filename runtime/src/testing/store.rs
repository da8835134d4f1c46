//! The users a fake serves, and their history: every list operation's records (each in its own
//! shape), which can change while the fake runs — users added, changed, removed — so that tests
//! of syncs see an account move between two runs, and an incremental export has changes to
//! export.

use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};

use super::fault::{PLANTED_PROPERTY, UNKNOWN_ENUM_VALUE};
use super::{FakeList, FakeSpec, Fault};
use crate::account_rules::{Check, Literal, Status};

/// One user as one list serves it, with when it last changed.
#[derive(Debug)]
pub(super) struct Entry {
    /// The record, in the list's shape (the user inside its wrapper, if any).
    pub(super) record: Value,
    /// The user's id, as the fake's users are told apart.
    id: String,
    /// The order of its last change among all changes of the fake.
    pub(super) seq: u64,
    /// When it last changed, in epoch seconds.
    pub(super) changed_at: i64,
    /// Removed: no list serves it, an incremental export sends it as deleted.
    pub(super) deleted: bool,
}

/// Every list's records, and the clock of changes.
#[derive(Debug)]
pub(super) struct Store {
    spec: &'static FakeSpec,
    /// The lists of the spec, then its incremental export, each with its records.
    lists: Vec<(&'static FakeList, Vec<Entry>)>,
    /// The number of the last change.
    clock: u64,
    /// The number the next user added gets.
    next_number: u64,
}

impl Store {
    /// `n` users in every list's shape, the faults applied to the first.
    pub(super) fn new(spec: &'static FakeSpec, n: usize, faults: &[Fault]) -> Mutex<Self> {
        let now = now();
        let mut clock = 0;
        let lists = spec
            .lists
            .iter()
            .chain(&spec.incremental)
            .map(|list| {
                let entries = (1..=n as u64)
                    .map(|number| Entry {
                        id: id_of(list, number),
                        record: record(spec, list, number, if number == 1 { faults } else { &[] }),
                        seq: number,
                        changed_at: now,
                        deleted: false,
                    })
                    .collect();
                (list, entries)
            })
            .collect();
        clock += n as u64;
        Mutex::new(Self {
            spec,
            lists,
            clock,
            next_number: n as u64 + 1,
        })
    }

    /// How many records `list` serves now, of those `keep` selects (by number, from 1).
    pub(super) fn count(&self, list: &FakeList, keep: &dyn Fn(usize) -> bool) -> usize {
        self.entries(list)
            .iter()
            .enumerate()
            .filter(|(i, e)| !e.deleted && keep(i + 1))
            .count()
    }

    /// The records `list` serves now from `start` to `end` (positions among those served and
    /// selected by `keep`): only they are copied, so a page costs its own size, not the
    /// account's.
    pub(super) fn slice(
        &self,
        list: &FakeList,
        start: usize,
        end: usize,
        keep: &dyn Fn(usize) -> bool,
    ) -> Vec<Value> {
        self.entries(list)
            .iter()
            .enumerate()
            .filter(|(i, e)| !e.deleted && keep(i + 1))
            .map(|(_, e)| e)
            .skip(start)
            .take(end.saturating_sub(start))
            .map(|e| e.record.clone())
            .collect()
    }

    /// The first `size` entries of `list` that `keep` selects (removed ones included), in the
    /// order they last changed: their records, the change number of the last, and whether no
    /// other was selected.
    pub(super) fn changes(
        &self,
        list: &FakeList,
        keep: impl Fn(&Entry) -> bool,
        size: usize,
    ) -> (Vec<Value>, Option<u64>, bool) {
        let mut changed: Vec<&Entry> = self.entries(list).iter().filter(|e| keep(e)).collect();
        changed.sort_by_key(|e| e.seq);
        let end = changed.len() <= size;
        changed.truncate(size);
        let last = changed.last().map(|e| e.seq);
        (
            changed.into_iter().map(|e| e.record.clone()).collect(),
            last,
            end,
        )
    }

    /// The number of the last change.
    pub(super) fn clock(&self) -> u64 {
        self.clock
    }

    fn entries(&self, list: &FakeList) -> &[Entry] {
        self.lists
            .iter()
            .find(|(l, _)| std::ptr::eq(*l, list))
            .map_or(&[], |(_, entries)| entries.as_slice())
    }

    /// Adds `n` users; returns their ids.
    pub(super) fn add(&mut self, n: usize) -> Vec<String> {
        let now = now();
        let mut ids = Vec::new();
        for _ in 0..n {
            let number = self.next_number;
            self.next_number += 1;
            self.clock += 1;
            for (list, entries) in &mut self.lists {
                entries.push(Entry {
                    id: id_of(list, number),
                    record: record(self.spec, list, number, &[]),
                    seq: self.clock,
                    changed_at: now,
                    deleted: false,
                });
            }
            if let Some((list, _)) = self.lists.first() {
                ids.push(id_of(list, number));
            }
        }
        ids
    }

    /// Changes the user `id` with `change` (given the user, as the provider's JSON) in every
    /// list; `false` when no list has it.
    pub(super) fn update(&mut self, id: &str, change: &mut dyn FnMut(&mut Value)) -> bool {
        self.clock += 1;
        let (clock, now) = (self.clock, now());
        let mut found = false;
        for (list, entries) in &mut self.lists {
            for entry in entries.iter_mut().filter(|e| e.id == id && !e.deleted) {
                let user = match list.record {
                    Some(at) => entry.record.pointer_mut(at),
                    None => Some(&mut entry.record),
                };
                if let Some(user) = user {
                    change(user);
                }
                entry.seq = clock;
                entry.changed_at = now;
                found = true;
            }
        }
        found
    }

    /// Removes the user `id`: lists stop serving it, and an incremental export sends it with
    /// the fields the provider's account rules read as deleted. `false` when no list has it.
    pub(super) fn remove(&mut self, id: &str) -> bool {
        let deleted = deleted_fields(self.spec);
        let found = self.update(id, &mut |user| {
            for (at, value) in &deleted {
                set(user, at, value.clone());
            }
        });
        for (_, entries) in &mut self.lists {
            for entry in entries.iter_mut().filter(|e| e.id == id) {
                entry.deleted = true;
            }
        }
        found
    }

    /// The ids of the users the first list serves now.
    pub(super) fn ids(&self) -> Vec<String> {
        self.lists
            .first()
            .map(|(_, entries)| {
                entries
                    .iter()
                    .filter(|e| !e.deleted)
                    .map(|e| e.id.clone())
                    .collect()
            })
            .unwrap_or_default()
    }
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// The fields (pointer, value) that the provider's first `deleted` status rule reads: what a
/// deleted user carries (Zendesk Support: `active: false`).
fn deleted_fields(spec: &FakeSpec) -> Vec<(&'static str, Value)> {
    let Some(rule) = spec
        .provider
        .account
        .status
        .iter()
        .find(|rule| rule.value == Status::Deleted)
    else {
        return Vec::new();
    };
    rule.all
        .iter()
        .filter_map(|test| match &test.check {
            Check::Is(values) => values.first().map(|first| (test.at, literal(first))),
            Check::Present(true) => Some((test.at, json!("2026-01-01T00:00:00Z"))),
            Check::Present(false) => Some((test.at, Value::Null)),
        })
        .collect()
}

fn literal(value: &Literal) -> Value {
    match value {
        Literal::Bool(b) => json!(b),
        Literal::Int(i) => json!(i),
        Literal::Str(s) => json!(s),
        Literal::Null => Value::Null,
    }
}

/// The id of user `number` as `list` writes it (a UUID, a string or a number, after the
/// sample's own).
fn id_of(list: &FakeList, number: u64) -> String {
    match id_value(list, number) {
        Value::String(text) => text,
        other => other.to_string(),
    }
}

fn id_value(list: &FakeList, number: u64) -> Value {
    match list.sample_user().pointer(list.id) {
        Some(Value::String(text)) if looks_like_uuid(text) => {
            json!(format!("00000000-0000-4000-8000-{number:012x}"))
        }
        Some(Value::String(_)) => json!(number.to_string()),
        _ => json!(number),
    }
}

/// User `number` of `list`: the sample record with a distinct id, email and name, `faults`
/// applied.
fn record(spec: &FakeSpec, list: &FakeList, number: u64, faults: &[Fault]) -> Value {
    let mut user = list.sample_user();
    let account = &spec.provider.account;
    if !list.id.is_empty() {
        set(&mut user, list.id, id_value(list, number));
    }
    if !account.email.is_empty() && user.pointer(account.email).is_some() {
        set(
            &mut user,
            account.email,
            json!(format!("user{number}@example.com")),
        );
    }
    if !account.name.is_empty() && user.pointer(account.name).is_some() {
        set(
            &mut user,
            account.name,
            json!(format!("Fake User {number}")),
        );
    }
    for fault in faults {
        match fault {
            Fault::NullOptionalFields => {
                if let Some(object) = user.as_object_mut() {
                    object.retain(|key, _| {
                        spec.user.required.contains(&key.as_str())
                            || spec.user.nullable.contains(&key.as_str())
                    });
                    for (key, value) in object.iter_mut() {
                        if !spec.user.required.contains(&key.as_str()) {
                            *value = Value::Null;
                        }
                    }
                }
            }
            Fault::UnknownEnumValue => {
                if let Some(at) = spec.user.open_enums.first() {
                    set(&mut user, at, json!(UNKNOWN_ENUM_VALUE));
                }
            }
            Fault::UndeclaredProperty => {
                set(&mut user, &format!("/{PLANTED_PROPERTY}"), json!("planted"));
            }
            Fault::MissingRequired => {
                if let (Some(name), Some(object)) =
                    (Fault::required_to_remove(spec), user.as_object_mut())
                {
                    object.remove(name);
                }
            }
            Fault::UnexpectedNull => {
                if let Some(name) = spec.user.strict.first() {
                    set(&mut user, &format!("/{name}"), Value::Null);
                }
            }
            Fault::WrongType => {
                if let Some(name) = spec.user.strings.first() {
                    set(&mut user, &format!("/{name}"), json!(42));
                }
            }
            Fault::BadFormat => {
                if let Some(name) = spec.user.timestamps.first() {
                    set(&mut user, &format!("/{name}"), json!("not a date"));
                }
            }
            _ => {}
        }
    }
    match list.record {
        Some(record) => {
            let mut wrapped = list.sample_record();
            set(&mut wrapped, record, user);
            wrapped
        }
        None => user,
    }
}

fn looks_like_uuid(text: &str) -> bool {
    text.len() == 36
        && text
            .char_indices()
            .all(|(i, c)| matches!(i, 8 | 13 | 18 | 23) == (c == '-'))
}

/// Sets `pointer` in `value` to `new`, creating objects on the way.
pub(super) fn set(value: &mut Value, pointer: &str, new: Value) {
    let mut node = value;
    for segment in pointer.split('/').skip(1) {
        let key = segment.replace("~1", "/").replace("~0", "~");
        if !node.is_object() {
            *node = json!({});
        }
        node = node
            .as_object_mut()
            .expect("made an object above")
            .entry(key)
            .or_insert(Value::Null);
    }
    *node = new;
}
