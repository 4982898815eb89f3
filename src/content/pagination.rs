//! Pages of a list: `?page=N` from 1; `0`, text and pages past the end do not exist.

/// A page number as asked for in `?page=`; absent means 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageNumber(u32);

impl PageNumber {
    pub const FIRST: Self = Self(1);

    /// `None` for `0`, text, or numbers too large to be a page.
    pub fn parse(query_value: Option<&str>) -> Option<Self> {
        match query_value {
            None => Some(Self::FIRST),
            Some(text) => match text.parse::<u32>() {
                Ok(n) if (1..=1_000_000).contains(&n) => Some(Self(n)),
                _ => None,
            },
        }
    }

    pub fn get(self) -> u32 {
        self.0
    }
}

/// Where one page sits in a list of `total` items.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pagination {
    pub page: u32,
    pub per_page: u32,
    pub total: u64,
}

impl Pagination {
    /// `None` when the page is past the end. The first page always exists, even empty.
    pub fn new(page: PageNumber, per_page: u32, total: u64) -> Option<Self> {
        let pagination = Self {
            page: page.get(),
            per_page: per_page.max(1),
            total,
        };
        (pagination.page <= pagination.last_page()).then_some(pagination)
    }

    pub fn last_page(&self) -> u32 {
        let pages = self.total.div_ceil(u64::from(self.per_page)).max(1);
        u32::try_from(pages).unwrap_or(u32::MAX)
    }

    pub fn offset(&self) -> u64 {
        u64::from(self.page - 1) * u64::from(self.per_page)
    }

    pub fn previous(&self) -> Option<u32> {
        (self.page > 1).then(|| self.page - 1)
    }

    pub fn next(&self) -> Option<u32> {
        (self.page < self.last_page()).then(|| self.page + 1)
    }

    /// Page numbers to link, with `None` for a gap: 1 … 4 5 [6] 7 8 … 20.
    pub fn window(&self) -> Vec<Option<u32>> {
        let last = self.last_page();
        let mut shown: Vec<u32> = (1..=last)
            .filter(|&n| n <= 1 || n >= last || n.abs_diff(self.page) <= 2)
            .collect();
        shown.dedup();
        let mut out = Vec::new();
        for (i, &n) in shown.iter().enumerate() {
            if i > 0 && n > shown[i - 1] + 1 {
                out.push(None);
            }
            out.push(Some(n));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_numbers_start_at_one() {
        assert_eq!(PageNumber::parse(None), Some(PageNumber::FIRST));
        assert_eq!(PageNumber::parse(Some("3")).map(PageNumber::get), Some(3));
        for bad in ["0", "abc", "-1", "", "99999999999"] {
            assert_eq!(PageNumber::parse(Some(bad)), None, "{bad}");
        }
    }

    #[test]
    fn twenty_five_posts_make_three_pages() {
        let page = |n| PageNumber::parse(Some(n)).unwrap();
        let third = Pagination::new(page("3"), 10, 25).unwrap();
        assert_eq!(
            (third.offset(), third.last_page(), third.next()),
            (20, 3, None)
        );
        assert!(Pagination::new(page("4"), 10, 25).is_none());
        assert!(Pagination::new(PageNumber::FIRST, 10, 0).is_some());
    }

    #[test]
    fn window_elides_far_pages() {
        let p = Pagination::new(PageNumber::parse(Some("10")).unwrap(), 10, 200).unwrap();
        let shown: Vec<_> = p.window().into_iter().map(|n| n.map_or(0, |n| n)).collect();
        assert_eq!(shown, vec![1, 0, 8, 9, 10, 11, 12, 0, 20]);
    }
}
