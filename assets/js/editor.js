// The post editor: turns the post form's plain `body` textarea into Summernote (lite
// build) when scripts run. Without JavaScript the textarea is the editor, and the form
// posts `body` either way. Images go to POST /uploads and are inserted by the URL it
// answers, never as base64: the server keeps only images from /media/.
(function () {
  'use strict';

  var textarea = document.querySelector('form.post-form textarea[name="body"]');
  if (!textarea || !window.jQuery || !jQuery.fn.summernote) {
    return; // no form here, or the vendored scripts failed: the textarea still works
  }
  var form = textarea.form;
  var $body = jQuery(textarea);
  // The page writes the interface's words into data attributes, in its language.
  var words = {
    uploadFailed: textarea.getAttribute('data-upload-failed') || 'The upload failed ({status}).',
    imageUnreadable: textarea.getAttribute('data-image-unreadable') || 'That image could not be read.'
  };
  function uploadFailed(status) {
    return words.uploadFailed.replace('{status}', String(status));
  }

  // Upload problems are shown by the editor itself (an `alert` would block the page).
  var message = document.createElement('p');
  message.className = 'editor-message';
  message.setAttribute('role', 'alert');
  message.hidden = true;

  function showError(text) {
    message.textContent = text;
    message.hidden = false;
  }

  function clearError() {
    message.textContent = '';
    message.hidden = true;
  }

  function csrfToken() {
    var input = form.querySelector('input[name="csrf_token"]');
    return input ? input.value : '';
  }

  function upload(file) {
    var data = new FormData();
    data.append('file', file, file.name || 'pasted-image');
    return fetch('/uploads', {
      method: 'POST',
      body: data,
      credentials: 'same-origin',
      headers: { 'X-CSRF-Token': csrfToken() }
    }).then(function (response) {
      return response.json().catch(function () {
        return { error: uploadFailed(response.status) };
      }).then(function (answer) {
        if (!response.ok || !answer.url) {
          throw new Error(answer.error || uploadFailed(response.status));
        }
        return answer.url;
      });
    });
  }

  // Files pasted, dropped or picked in the image dialog all arrive here, one by one
  // in the order given, so several images keep their order in the text.
  function uploadAll(files) {
    clearError();
    var queue = Array.prototype.slice.call(files);
    (function next() {
      var file = queue.shift();
      if (!file) {
        return;
      }
      upload(file).then(function (url) {
        // A callback instead of Summernote's default, which pins the image to a pixel
        // width; without one, the stylesheet fits it to the column, as readers see it.
        $body.summernote('insertImage', url, function ($image) {
          $image.attr('alt', '');
        });
        next();
      }, function (error) {
        showError((file.name ? file.name + ': ' : '') + error.message);
        next();
      });
    })();
  }

  // Summernote merges options one level deep only: nested settings start from a copy
  // of its defaults, or the rest of them (Enter, the table popover) would be lost.
  var defaults = jQuery.summernote.options;
  var keyMap = jQuery.extend(true, {}, defaults.keyMap);
  // Indenting writes `margin-left`, which the sanitizer drops: no shortcut for it.
  delete keyMap.pc['CTRL+LEFTBRACKET'];
  delete keyMap.pc['CTRL+RIGHTBRACKET'];
  delete keyMap.mac['CMD+LEFTBRACKET'];
  delete keyMap.mac['CMD+RIGHTBRACKET'];
  var popover = jQuery.extend(true, {}, defaults.popover, {
    image: [
      ['resize', ['resizeFull', 'resizeHalf', 'resizeQuarter', 'resizeNone']],
      ['float', ['floatLeft', 'floatRight', 'floatNone']],
      ['remove', ['removeMedia']]
    ],
    link: [['link', ['linkDialogShow', 'unlink']]]
  });

  $body.summernote({
    placeholder: textarea.getAttribute('placeholder') || '',
    // Set only when the page loaded that language's file (see views/posts.rs).
    lang: textarea.getAttribute('data-editor-lang') || 'en-US',
    height: 360,
    // Headings, quote and code block are in the style menu; only what the sanitizer
    // keeps is offered, so what the author sees is what readers get.
    styleTags: ['p', 'h2', 'h3', 'h4', 'blockquote', 'pre'],
    toolbar: [
      ['style', ['style']],
      ['font', ['bold', 'italic', 'underline']],
      ['para', ['ul', 'ol']],
      ['insert', ['link', 'picture']],
      ['history', ['undo', 'redo']]
    ],
    popover: popover,
    keyMap: keyMap,
    // The sanitizer drops `target`, so do not offer "open in a new window".
    linkTargetBlank: false,
    disableLinkTarget: true,
    callbacks: {
      onImageUpload: uploadAll,
      onImageUploadError: function () {
        showError(words.imageUnreadable);
      }
    }
  });

  jQuery(form).find('.note-editor').after(message);

  // Summernote keeps the textarea in step as you type; this makes sure the last change
  // is in it, and that an untouched editor posts an empty body, not `<p><br></p>`.
  form.addEventListener('submit', function () {
    textarea.value = $body.summernote('isEmpty') ? '' : $body.summernote('code');
  });
})();
