// "Show more" for lists, like el_pagination. Without JavaScript the link under a list
// is a plain link to the next page and the numbered page links work. With it, the
// next page is fetched (the same HTML a visitor would get), its entries are appended
// to this list, the page links are replaced by the new page's, and the address bar
// says `?page=N`. With `[site] infinite_scroll = true` (the `data-infinite-scroll`
// attribute on <body>) the next page loads when the link scrolls into view.
(function () {
  'use strict';

  // Every list view renders its entries this way (views::posts::summaries).
  var LIST = '.post-list';
  var ENTRY = 'article.post-summary';
  var PAGES = 'nav.pagination';
  var MORE = '.show-more';

  var more = document.querySelector(MORE);
  var list = document.querySelector(LIST);
  if (!more || !list || !window.fetch || !window.DOMParser) {
    return; // nothing to page, or an old browser: the plain links do the work
  }
  var link = more.querySelector('a');
  var loading = false;
  var observer = null;

  function load(byScroll) {
    if (loading || more.hidden) {
      return;
    }
    loading = true;
    more.setAttribute('aria-busy', 'true');
    var url = link.href;
    fetch(url, { credentials: 'same-origin', headers: { Accept: 'text/html' } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error('status ' + response.status);
        }
        return response.text();
      })
      .then(function (html) {
        var next = new DOMParser().parseFromString(html, 'text/html');
        var entries = next.querySelectorAll(LIST + ' ' + ENTRY);
        var first = null;
        for (var i = 0; i < entries.length; i++) {
          var entry = document.importNode(entries[i], true);
          list.appendChild(entry);
          first = first || entry;
        }
        var pages = document.querySelector(PAGES);
        var newPages = next.querySelector(PAGES);
        if (pages && newPages) {
          pages.replaceWith(document.importNode(newPages, true));
        }
        // The appended entries make one growing page, so the address is replaced, not
        // pushed: Back leaves the list instead of stepping through what was appended.
        history.replaceState(history.state, '', url);
        var newMore = next.querySelector(MORE + ' a');
        if (newMore) {
          link.href = newMore.getAttribute('href');
        } else {
          more.hidden = true; // the last page: nothing more to show
          if (observer) {
            observer.disconnect();
          }
        }
        if (!byScroll && first) {
          // Keyboard and screen-reader users continue where the new entries start.
          var target = first.querySelector('a') || first;
          target.focus({ preventScroll: true });
        }
      })
      .catch(function () {
        window.location.href = url; // let the browser show the page, or its error
      })
      .then(function () {
        loading = false;
        more.removeAttribute('aria-busy');
        if (observer && !more.hidden) {
          // Observe again: if the link is still in view after a short page, the
          // observer reports it once more and the next page loads too.
          observer.unobserve(more);
          observer.observe(more);
        }
      });
  }

  link.addEventListener('click', function (event) {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) {
      return; // opening in a new tab or window stays a plain link
    }
    event.preventDefault();
    load(false);
  });

  if (document.body.hasAttribute('data-infinite-scroll') && window.IntersectionObserver) {
    observer = new IntersectionObserver(function (changes) {
      if (changes.some(function (c) { return c.isIntersecting; })) {
        load(true);
      }
    }, { rootMargin: '0px 0px 200px 0px' });
    observer.observe(more);
  }
})();
