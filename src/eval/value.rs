//! Run-time values. All `Copy` and borrowed from the policy or the tenant model: evaluating a rule
//! allocates nothing until a finding's text is rendered.

use crate::compile::ir::base_sku;

/// What kind of entity a list holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// users
    User,
    /// groups
    Group,
    /// subscriptions
    Subscription,
    /// assignments
    Assignment,
    /// SKUs
    Sku,
    /// capabilities
    Capability,
    /// failed licence assignments
    LicenseError,
    /// licensed features
    Feature,
}

/// A value.
#[derive(Debug, Clone, Copy)]
pub enum Value<'a> {
    /// boolean
    Bool(bool),
    /// number
    Int(i64),
    /// text
    Str(&'a str),
    /// a calendar date
    Date(crate::date::Date),
    /// null
    Null,
    /// the tenant
    Tenant,
    /// the SSPR settings
    Sspr,
    /// an entity by index
    Entity(Kind, u32),
    /// a list
    List(List<'a>),
}

/// A list, without copying its elements.
#[derive(Debug, Clone, Copy)]
pub enum List<'a> {
    /// Entities `0..n`.
    All(Kind, u32),
    /// Entities by id.
    Ids(Kind, &'a [u32]),
    /// Entities by id, sorted and without duplicates (a SKU's `includes` and `grants`, as the
    /// compiler leaves them): membership is a binary search, not a walk of the list.
    Sorted(Kind, &'a [u32]),
    /// Strings.
    Strs(&'a [String]),
    /// Numbers.
    Ints(&'a [i64]),
    /// Entities whose bit is set (a user's features: one bit per feature).
    Bits(Kind, &'a [u64]),
}

/// What `==` compares of an entity id: a SKU's catalog SKU, anything else's index.
fn identity(kind: Kind, id: u32) -> u32 {
    match kind {
        Kind::Sku => base_sku(id),
        _ => id,
    }
}

/// The index of the `n`-th set bit.
fn nth_bit(words: &[u64], mut n: usize) -> Option<u32> {
    for (w, &word) in words.iter().enumerate() {
        let ones = word.count_ones() as usize;
        if n < ones {
            let mut rest = word;
            for _ in 0..n {
                rest &= rest - 1;
            }
            return Some(w as u32 * 64 + rest.trailing_zeros());
        }
        n -= ones;
    }
    None
}

impl<'a> List<'a> {
    /// Number of elements.
    pub fn len(self) -> usize {
        match self {
            List::All(_, n) => n as usize,
            List::Ids(_, ids) | List::Sorted(_, ids) => ids.len(),
            List::Strs(s) => s.len(),
            List::Ints(i) => i.len(),
            List::Bits(_, words) => words.iter().map(|w| w.count_ones() as usize).sum(),
        }
    }

    /// True when empty.
    pub fn is_empty(self) -> bool {
        self.len() == 0
    }

    /// The element at `i`.
    pub fn get(self, i: usize) -> Option<Value<'a>> {
        match self {
            List::All(k, n) => (i < n as usize).then_some(Value::Entity(k, i as u32)),
            List::Ids(k, ids) | List::Sorted(k, ids) => ids.get(i).map(|&id| Value::Entity(k, id)),
            List::Strs(s) => s.get(i).map(|s| Value::Str(s)),
            List::Ints(v) => v.get(i).map(|&n| Value::Int(n)),
            List::Bits(k, words) => nth_bit(words, i).map(|id| Value::Entity(k, id)),
        }
    }

    /// The elements.
    pub fn iter(self) -> impl Iterator<Item = Value<'a>> {
        (0..self.len()).filter_map(move |i| self.get(i))
    }

    /// Membership, without walking entity ranges.
    pub fn contains(self, v: Value<'a>) -> bool {
        match (self, v) {
            // A held SKU with plans switched off is still its catalog SKU; lists of held SKUs
            // are short (a user's licences) and compared one by one.
            (List::Ids(Kind::Sku, ids), Value::Entity(Kind::Sku, id)) => {
                let id = base_sku(id);
                ids.iter().any(|&x| base_sku(x) == id)
            }
            (List::Sorted(Kind::Sku, ids), Value::Entity(Kind::Sku, id)) => {
                // Sorted SKU lists (inclusions) hold catalog SKUs only.
                ids.binary_search(&base_sku(id)).is_ok()
            }
            (List::All(k, n), Value::Entity(vk, id)) => k == vk && id < n,
            (List::Ids(k, ids), Value::Entity(vk, id)) => k == vk && ids.contains(&id),
            (List::Sorted(k, ids), Value::Entity(vk, id)) => {
                k == vk && ids.binary_search(&id).is_ok()
            }
            (List::Bits(k, words), Value::Entity(vk, id)) => {
                k == vk
                    && words
                        .get((id / 64) as usize)
                        .is_some_and(|w| w & (1 << (id % 64)) != 0)
            }
            _ => self.iter().any(|e| e.equals(v)),
        }
    }
}

impl<'a> Value<'a> {
    /// Equality as `==` sees it.
    pub fn equals(self, other: Value<'a>) -> bool {
        match (self, other) {
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::Int(a), Value::Int(b)) => a == b,
            (Value::Str(a), Value::Str(b)) => a == b,
            (Value::Date(a), Value::Date(b)) => a == b,
            (Value::Null, Value::Null)
            | (Value::Tenant, Value::Tenant)
            | (Value::Sspr, Value::Sspr) => true,
            (Value::Entity(k, a), Value::Entity(l, b)) => {
                k == l && identity(k, a) == identity(l, b)
            }
            (Value::List(a), Value::List(b)) => {
                a.len() == b.len() && a.iter().zip(b.iter()).all(|(x, y)| x.equals(y))
            }
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Kind, List, Value};

    #[test]
    fn a_sorted_list_finds_its_members_by_binary_search() {
        let ids = [2u32, 5, 9, 40];
        let sorted = List::Sorted(Kind::Sku, &ids);
        for id in 0..50 {
            assert_eq!(
                sorted.contains(Value::Entity(Kind::Sku, id)),
                ids.contains(&id),
                "{id}"
            );
        }
        assert!(!sorted.contains(Value::Entity(Kind::Capability, 5)));
        assert_eq!(sorted.len(), 4);
        assert!(matches!(sorted.get(1), Some(Value::Entity(Kind::Sku, 5))));
    }
}
