// Words kept safe while writing. Every change to the post form is copied at once into
// this browser's localStorage, so a closed tab, a crash or a dropped connection loses
// nothing: the editor offers it back when it opens again. A draft is also saved to the
// server in the background (every ~10 s of typing, and when the page is left), with
// the save it started from, so a tab that fell behind gets 409 instead of overwriting
// another tab's words. Without JavaScript the form's Save button does it all.
(function () {
  'use strict';

  var form = document.querySelector('form.post-form');
  if (!form || !window.localStorage || !window.fetch) {
    return;
  }
  var key = form.getAttribute('data-storage-key');
  var url = form.getAttribute('data-autosave-url');
  var state = document.getElementById('save-state');
  var textarea = form.querySelector('textarea[name="body"]');
  var revision = form.querySelector('input[name="revision"]');
  var EVERY_MS = 10000;
  var dirty = false;
  var stale = false;
  var saving = false;

  function editor() {
    return window.jQuery && textarea && jQuery(textarea).data('summernote') ? jQuery(textarea) : null;
  }
  function body() {
    var $body = editor();
    if ($body) {
      return $body.summernote('isEmpty') ? '' : $body.summernote('code');
    }
    return textarea ? textarea.value : '';
  }
  function setBody(html) {
    var $body = editor();
    if ($body) {
      $body.summernote('code', html);
    } else if (textarea) {
      textarea.value = html;
    }
  }
  function field(name) {
    var input = form.querySelector('[name="' + name + '"]');
    return input ? input.value : '';
  }
  function setField(name, value) {
    var input = form.querySelector('[name="' + name + '"]');
    if (input && typeof value === 'string') {
      input.value = value;
    }
  }
  function snapshot() {
    return {
      title: field('title'),
      body: body(),
      tags: field('tags'),
      publish_at: field('publish_at'),
      revision: revision ? revision.value : ''
    };
  }
  function say(text, problem) {
    if (state) {
      state.textContent = text;
      state.classList.toggle('problem', !!problem);
    }
  }
  function words(name, fallback) {
    return form.getAttribute('data-' + name) || fallback;
  }

  function keep() {
    try {
      var copy = snapshot();
      copy.at = Date.now();
      localStorage.setItem(key, JSON.stringify(copy));
    } catch (e) {
      // Storage full or refused (private mode): the server save still runs.
    }
  }
  function forget() {
    try {
      localStorage.removeItem(key);
    } catch (e) { /* nothing kept, nothing to forget */ }
  }

  // Text this browser kept and the server never got comes back into the form.
  (function offerBack() {
    var kept;
    try {
      kept = JSON.parse(localStorage.getItem(key) || 'null');
    } catch (e) {
      kept = null;
    }
    if (!kept) {
      return;
    }
    var now = snapshot();
    if (kept.title === now.title && kept.body === now.body && kept.tags === now.tags) {
      forget();
      return;
    }
    setField('title', kept.title);
    setBody(kept.body || '');
    setField('tags', kept.tags);
    setField('publish_at', kept.publish_at);
    // Saved against the save it began from: if the post moved on since, the server
    // answers 409 rather than lose the other words.
    if (revision && kept.revision) {
      revision.value = kept.revision;
    }
    dirty = true;
    say(words('restore', 'Unsaved text from this browser was put back.'));
  })();

  function changed() {
    dirty = true;
    keep();
  }
  form.addEventListener('input', changed);
  if (window.jQuery && textarea) {
    jQuery(textarea).on('summernote.change', changed);
  }
  form.addEventListener('submit', function () {
    // The form's own save is about to happen; stop the background one.
    dirty = false;
  });

  function formData() {
    var data = new FormData();
    var copy = snapshot();
    Object.keys(copy).forEach(function (name) {
      data.append(name, copy[name]);
    });
    var token = form.querySelector('input[name="csrf_token"]');
    data.append('csrf_token', token ? token.value : '');
    return data;
  }

  function save() {
    if (!url || !dirty || stale || saving) {
      return;
    }
    saving = true;
    dirty = false;
    var sent = snapshot();
    fetch(url, {
      method: 'POST',
      body: formData(),
      credentials: 'same-origin',
      headers: { 'X-CSRF-Token': (form.querySelector('input[name="csrf_token"]') || {}).value || '' }
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (answer) {
        if (response.ok) {
          if (revision && answer.revision !== undefined) {
            revision.value = String(answer.revision);
          }
          var now = snapshot();
          if (now.title === sent.title && now.body === sent.body && now.tags === sent.tags) {
            forget();
          } else {
            keep();
          }
          say(words('saved', 'Saved {time}').replace('{time}', answer.saved_at || ''));
        } else if (response.status === 409) {
          stale = true;
          say(answer.error || words('stale', 'Saved elsewhere: press Save to compare'), true);
        } else {
          throw new Error(answer.error || String(response.status));
        }
      });
    }).catch(function () {
      dirty = true;
      say(words('not-saved', 'Not saved — retrying'), true);
    }).then(function () {
      saving = false;
    });
  }

  setInterval(save, EVERY_MS);
  window.addEventListener('online', save);
  // Leaving the page: the browser sends what is left even as the tab closes. (Not on
  // merely hiding the tab: that save would leave this page a save behind.)
  window.addEventListener('pagehide', function () {
    if (url && dirty && !stale && navigator.sendBeacon) {
      if (navigator.sendBeacon(url, formData())) {
        dirty = false;
      }
    }
  });
})();
