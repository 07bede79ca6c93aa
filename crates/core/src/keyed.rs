//! Unit enums that travel as a fixed string key ("snake_case"), with a small hand-written
//! serde implementation shared by all of them.
//!
//! serde's derive generates, for every enum and every deserializer, a variant visitor with
//! string, bytes and integer paths. In the wasm app that code was repeated for each enum
//! (about 46 KB before wasm-opt, issue 6's size budget). Here one visitor, generic only over
//! the deserializer, finds the key in the enum's table. The wire format is unchanged: the
//! keys are exactly what `#[serde(rename_all = "snake_case")]` produced, and a test checks it.

pub use serde;
use serde::de::{Error, Visitor};

/// A unit enum with a stable key per value.
pub trait Keyed: Sized + Copy + 'static {
    /// Every value, in declaration order.
    const VALUES: &'static [Self];
    /// The key of each value, in the same order.
    const KEYS: &'static [&'static str];
    fn key(self) -> &'static str;
    /// The value whose key is `key`.
    fn from_key(key: &str) -> Option<Self> {
        Self::KEYS
            .iter()
            .position(|k| *k == key)
            .map(|i| Self::VALUES[i])
    }
}

struct KeyVisitor(&'static [&'static str]);

impl<'de> Visitor<'de> for KeyVisitor {
    type Value = usize;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("one of the listed values")
    }

    fn visit_str<E: Error>(self, v: &str) -> Result<usize, E> {
        self.0
            .iter()
            .position(|k| *k == v)
            .ok_or_else(|| E::unknown_variant(v, self.0))
    }
}

/// Deserializes a [`Keyed`] value from its key.
pub fn deserialize<'de, D: serde::Deserializer<'de>, T: Keyed>(d: D) -> Result<T, D::Error> {
    d.deserialize_str(KeyVisitor(T::KEYS)).map(|i| T::VALUES[i])
}

/// Declares a unit enum with a key per variant, `Debug`/`Copy`/`Eq`/`Ord`/`Hash`, the
/// OpenAPI schema (with the server's `openapi` feature), `key()`, and serde as the key.
#[macro_export]
macro_rules! keyed_enum {
    ($(#[$m:meta])* $vis:vis enum $name:ident { $($(#[$vm:meta])* $variant:ident = $key:literal),+ $(,)? }) => {
        $crate::__keyed_enum_decl!($(#[$m])* $vis enum $name { $($(#[$vm])* $variant = $key),+ });

        impl $crate::keyed::Keyed for $name {
            const VALUES: &'static [Self] = &[$($name::$variant),+];
            const KEYS: &'static [&'static str] = &[$($key),+];
            fn key(self) -> &'static str {
                match self { $($name::$variant => $key),+ }
            }
        }

        impl $crate::keyed::serde::Serialize for $name {
            fn serialize<S: $crate::keyed::serde::Serializer>(&self, s: S) -> ::core::result::Result<S::Ok, S::Error> {
                s.serialize_str($crate::keyed::Keyed::key(*self))
            }
        }

        impl<'de> $crate::keyed::serde::Deserialize<'de> for $name {
            fn deserialize<D: $crate::keyed::serde::Deserializer<'de>>(d: D) -> ::core::result::Result<Self, D::Error> {
                $crate::keyed::deserialize(d)
            }
        }
    };
}

/// The enum declaration itself; with the `openapi` feature of this crate (the server's) it
/// also derives the OpenAPI schema with the keys as values. Decided by this crate's
/// feature, not the caller's, so the app can use [`keyed_enum!`] too.
#[cfg(feature = "openapi")]
#[doc(hidden)]
#[macro_export]
macro_rules! __keyed_enum_decl {
    ($(#[$m:meta])* $vis:vis enum $name:ident { $($(#[$vm:meta])* $variant:ident = $key:literal),+ }) => {
        $(#[$m])*
        #[derive(utoipa::ToSchema, Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        $vis enum $name { $($(#[$vm])* #[schema(rename = $key)] $variant),+ }
    };
}

#[cfg(not(feature = "openapi"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __keyed_enum_decl {
    ($(#[$m:meta])* $vis:vis enum $name:ident { $($(#[$vm:meta])* $variant:ident = $key:literal),+ }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        $vis enum $name { $($(#[$vm])* $variant),+ }
    };
}

/// What `#[serde(rename_all = "snake_case")]` makes of a variant name (serde's own rule),
/// for the test that the keys kept the old wire format.
#[cfg(test)]
pub(crate) fn serde_snake_case(ident: &str) -> String {
    let mut out = String::new();
    for (i, ch) in ident.char_indices() {
        if i > 0 && ch.is_uppercase() {
            out.push('_');
        }
        out.push(ch.to_ascii_lowercase());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::*;
    use crate::report::*;

    fn check<
        T: Keyed + std::fmt::Debug + serde::Serialize + serde::de::DeserializeOwned + PartialEq,
    >() {
        for (v, k) in T::VALUES.iter().zip(T::KEYS) {
            assert_eq!(
                *k,
                serde_snake_case(&format!("{v:?}")),
                "key of {v:?} keeps serde's snake_case"
            );
            assert_eq!(serde_json::to_string(v).unwrap(), format!("\"{k}\""));
            assert_eq!(serde_json::from_str::<T>(&format!("\"{k}\"")).unwrap(), *v);
            assert_eq!(T::from_key(k), Some(*v));
        }
        assert_eq!(T::VALUES.len(), T::KEYS.len());
    }

    #[test]
    fn every_keyed_enum_keeps_its_wire_format() {
        check::<AreaLevel>();
        check::<CoopKind>();
        check::<Sector>();
        check::<OperatingStatus>();
        check::<OperatingScale>();
        check::<ReportStatus>();
        check::<Role>();
        check::<ShockImpact>();
        check::<ChainStage>();
        check::<crate::reference::ListKind>();
        check::<Certification>();
        check::<crate::sync::Entity>();
        check::<crate::error::ErrorCode>();
    }

    #[test]
    fn an_unknown_key_is_refused_with_the_allowed_ones() {
        let err = serde_json::from_str::<CoopKind>("\"coop\"")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("unknown variant `coop`") && err.contains("htx"),
            "{err}"
        );
        assert!(serde_json::from_str::<CoopKind>("3").is_err());
    }
}
