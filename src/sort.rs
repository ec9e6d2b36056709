//! Sorting without the standard library's sorts, which are tuned for speed on every input and cost over
//! 20 KB of wasm for the three orders this crate needs (rows by time and id, seen ids).

/// Sorts by `less`; quadratic only on what is out of order, which is nothing or a few elements where it is
/// used (rows already in time order, pools of a few invoices).
pub(crate) fn insertion_sort<T: Copy>(v: &mut [T], less: impl Fn(&T, &T) -> bool) {
    for i in 1..v.len() {
        let x = v[i];
        let mut j = i;
        while j > 0 && less(&x, &v[j - 1]) {
            v[j] = v[j - 1];
            j -= 1;
        }
        v[j] = x;
    }
}

/// Heapsort by key: O(n log n) on any input, in place, unstable (callers order equal keys themselves or
/// have none).
pub(crate) fn sort_by_key<T, K: Ord>(v: &mut [T], key: impl Fn(&T) -> K) {
    // Moves v[root] down until both children are smaller, within v[..end].
    let sift_down = |v: &mut [T], mut root: usize, end: usize| loop {
        let mut child = 2 * root + 1;
        if child >= end {
            return;
        }
        if child + 1 < end && key(&v[child]) < key(&v[child + 1]) {
            child += 1;
        }
        if key(&v[root]) >= key(&v[child]) {
            return;
        }
        v.swap(root, child);
        root = child;
    };
    let n = v.len();
    for root in (0..n / 2).rev() {
        sift_down(v, root, n);
    }
    for end in (1..n).rev() {
        v.swap(0, end);
        sift_down(v, 0, end);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn sorts_like_the_standard_sort(mut v in proptest::collection::vec((0i64..50, any::<u16>()), 0..300)) {
            let mut expected = v.clone();
            expected.sort();
            sort_by_key(&mut v, |&x| x);
            prop_assert_eq!(&v, &expected);
            let mut w: Vec<i64> = v.iter().rev().map(|x| x.0).collect();
            insertion_sort(&mut w, |a, b| a < b);
            prop_assert!(w.windows(2).all(|p| p[0] <= p[1]));
        }
    }
}
