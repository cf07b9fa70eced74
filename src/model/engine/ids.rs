//! Typed indices into the engine's tables, and the table they index.
//!
//! Every table of the engine (threads, CPUs, lock instances and classes, disks, workloads,
//! cgroups) is a vector indexed by position. Passing those positions around as bare integers
//! lets a CPU number index the threads; each table has its own index type here, and an
//! [`IdVec`] accepts only its own. "No such thing" (a CPU with no thread on it, a section
//! without a lock) is an `Option` of an index, never a reserved value. The wrappers are plain
//! `u32`s: indexing costs what indexing a `Vec` with a `u32` did.

use std::fmt;
use std::marker::PhantomData;
use std::ops::{Index, IndexMut};

/// An index into one kind of table.
pub(crate) trait Id: Copy {
    /// The id of position `raw` in its table.
    fn new(raw: u32) -> Self;
    /// The position as the number the tools print (a CPU's number, say).
    fn get(self) -> u32;
    fn from_index(index: usize) -> Self;
    fn index(self) -> usize;
}

macro_rules! engine_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub(crate) struct $name(u32);

        impl Id for $name {
            #[inline]
            fn new(raw: u32) -> Self {
                Self(raw)
            }

            #[inline]
            fn get(self) -> u32 {
                self.0
            }

            /// Tables never outgrow `u32` (threads, CPUs and locks come from an incident whose
            /// validation bounds them far below that).
            #[inline]
            fn from_index(index: usize) -> Self {
                Self(index as u32)
            }

            #[inline]
            fn index(self) -> usize {
                self.0 as usize
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($name), self.0)
            }
        }
    };
}

engine_id! {
    /// An engine thread: the workloads' threads, workload after workload, then kswapd.
    ThreadId
}
engine_id! {
    /// A CPU, by its number.
    CpuId
}
engine_id! {
    /// One instance of a lock class (a sharded or per-CPU lock has several).
    LockId
}
engine_id! {
    /// A lock class: the position of its lock in the incident's `locks`.
    LockClassId
}
engine_id! {
    /// A disk: its position in the machine's `disks`.
    DiskId
}
engine_id! {
    /// A workload: its position in the incident's `workloads`.
    WorkloadId
}
engine_id! {
    /// A cgroup with CPU bandwidth state (one per workload that names a cgroup).
    GroupId
}

/// A vector indexed by its own kind of id only.
#[derive(Clone, PartialEq)]
pub(crate) struct IdVec<I, T> {
    items: Vec<T>,
    id: PhantomData<fn(I) -> I>,
}

impl<I: Id, T> IdVec<I, T> {
    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    #[inline]
    pub fn get(&self, id: I) -> Option<&T> {
        self.items.get(id.index())
    }

    /// Appends `item` and returns its id.
    pub fn push(&mut self, item: T) -> I {
        self.items.push(item);
        I::from_index(self.items.len() - 1)
    }

    pub fn iter_mut(&mut self) -> std::slice::IterMut<'_, T> {
        self.items.iter_mut()
    }

    /// Every id, in table order.
    pub fn ids(&self) -> impl Iterator<Item = I> + use<I, T> {
        (0..self.items.len()).map(I::from_index)
    }

    /// Each item with its id.
    pub fn iter_enumerated(&self) -> impl Iterator<Item = (I, &T)> {
        self.items
            .iter()
            .enumerate()
            .map(|(i, item)| (I::from_index(i), item))
    }

    pub fn as_slice(&self) -> &[T] {
        &self.items
    }

    #[cfg(test)]
    pub fn into_vec(self) -> Vec<T> {
        self.items
    }
}

impl<I, T> Default for IdVec<I, T> {
    fn default() -> Self {
        Vec::new().into()
    }
}

impl<I, T> From<Vec<T>> for IdVec<I, T> {
    fn from(items: Vec<T>) -> Self {
        Self {
            items,
            id: PhantomData,
        }
    }
}

impl<I, T> FromIterator<T> for IdVec<I, T> {
    fn from_iter<It: IntoIterator<Item = T>>(iter: It) -> Self {
        Vec::from_iter(iter).into()
    }
}

impl<I: Id, T> Index<I> for IdVec<I, T> {
    type Output = T;

    #[inline]
    fn index(&self, id: I) -> &T {
        &self.items[id.index()]
    }
}

impl<I: Id, T> IndexMut<I> for IdVec<I, T> {
    #[inline]
    fn index_mut(&mut self, id: I) -> &mut T {
        &mut self.items[id.index()]
    }
}

impl<I, T: fmt::Debug> fmt::Debug for IdVec<I, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.items.fmt(f)
    }
}

impl<'a, I, T> IntoIterator for &'a IdVec<I, T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;

    fn into_iter(self) -> Self::IntoIter {
        self.items.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_vec_hands_out_the_ids_it_is_indexed_by() {
        let mut cpus: IdVec<CpuId, &str> = IdVec::default();
        let first = cpus.push("cpu0");
        let second = cpus.push("cpu1");
        assert_eq!((first, second), (CpuId::new(0), CpuId::new(1)));
        assert_eq!(cpus[second], "cpu1");
        assert_eq!(cpus.get(CpuId::new(2)), None);
        assert_eq!(cpus.ids().collect::<Vec<_>>(), [first, second]);
        assert_eq!(format!("{first:?}"), "CpuId(0)");
    }
}
