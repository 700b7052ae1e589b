//! Run-time values. All `Copy` and borrowed from the policy or the tenant model: evaluating a rule
//! allocates nothing until a finding's text is rendered.

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
    /// Strings.
    Strs(&'a [String]),
    /// Numbers.
    Ints(&'a [i64]),
}

impl<'a> List<'a> {
    /// Number of elements.
    pub fn len(self) -> usize {
        match self {
            List::All(_, n) => n as usize,
            List::Ids(_, ids) => ids.len(),
            List::Strs(s) => s.len(),
            List::Ints(i) => i.len(),
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
            List::Ids(k, ids) => ids.get(i).map(|&id| Value::Entity(k, id)),
            List::Strs(s) => s.get(i).map(|s| Value::Str(s)),
            List::Ints(v) => v.get(i).map(|&n| Value::Int(n)),
        }
    }

    /// The elements.
    pub fn iter(self) -> impl Iterator<Item = Value<'a>> {
        (0..self.len()).filter_map(move |i| self.get(i))
    }

    /// Membership, without walking entity ranges.
    pub fn contains(self, v: Value<'a>) -> bool {
        match (self, v) {
            (List::All(k, n), Value::Entity(vk, id)) => k == vk && id < n,
            (List::Ids(k, ids), Value::Entity(vk, id)) => k == vk && ids.contains(&id),
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
            (Value::Null, Value::Null)
            | (Value::Tenant, Value::Tenant)
            | (Value::Sspr, Value::Sspr) => true,
            (Value::Entity(k, a), Value::Entity(l, b)) => k == l && a == b,
            (Value::List(a), Value::List(b)) => {
                a.len() == b.len() && a.iter().zip(b.iter()).all(|(x, y)| x.equals(y))
            }
            _ => false,
        }
    }
}
