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
  function word(name, fallback) {
    return textarea.getAttribute('data-' + name) || fallback;
  }
  var words = {
    uploadFailed: word('upload-failed', 'The upload failed ({status}).'),
    imageUnreadable: word('image-unreadable', 'That image could not be read.'),
    altTitle: word('alt-title', 'Describe this image'),
    altLabel: word('alt-label', 'Alternative text'),
    altHint: word('alt-hint', 'What the image shows, for readers who cannot see it.'),
    altSave: word('alt-save', 'Save'),
    altNone: word('alt-none', 'Decorative: no text'),
    altButton: word('alt-button', 'Alternative text'),
    editorLabel: word('editor-label', 'Body'),
    toolbarLabel: word('toolbar-label', 'Formatting')
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

  // The alternative text of an image: asked for in a dialog of our own (a native
  // <dialog>: modal, keyboard-friendly, closed by Escape), after a paste or a drop,
  // and from the image's popover; typed beforehand in the picture dialog's field.
  var altDialog = document.createElement('dialog');
  altDialog.className = 'alt-dialog';
  altDialog.setAttribute('aria-labelledby', 'alt-dialog-title');
  altDialog.innerHTML =
    '<form method="dialog">' +
    '<h2 id="alt-dialog-title"></h2>' +
    '<label for="alt-dialog-text"></label>' +
    '<input id="alt-dialog-text" type="text" autocomplete="off">' +
    '<p class="hint" id="alt-dialog-hint"></p>' +
    '<div class="actions"><button class="primary" value="save"></button>' +
    '<button value="none"></button></div></form>';
  altDialog.querySelector('h2').textContent = words.altTitle;
  altDialog.querySelector('label').textContent = words.altLabel;
  altDialog.querySelector('.hint').textContent = words.altHint;
  altDialog.querySelector('input').setAttribute('aria-describedby', 'alt-dialog-hint');
  altDialog.querySelector('button[value="save"]').textContent = words.altSave;
  altDialog.querySelector('button[value="none"]').textContent = words.altNone;
  // In the body, not the post form: a form may not hold another (the dialog's).
  document.body.appendChild(altDialog);

  // Tells Summernote's listeners (autosave) that the body changed outside typing.
  function changed() {
    $body.trigger('summernote.change', [$body.summernote('code')]);
  }

  // Asks for an image's text; resolves once the dialog closes (Escape keeps it as it was).
  function askAlt(image) {
    return new Promise(function (resolve) {
      var input = altDialog.querySelector('input');
      input.value = image.getAttribute('alt') || '';
      // Which image this is, shown small above the field (made now: an img needs a src).
      var preview = document.createElement('img');
      preview.className = 'alt-preview';
      preview.alt = '';
      preview.src = image.getAttribute('src');
      altDialog.querySelector('h2').after(preview);
      altDialog.returnValue = '';
      altDialog.addEventListener('close', function done() {
        altDialog.removeEventListener('close', done);
        preview.remove();
        if (altDialog.returnValue === 'save') {
          image.setAttribute('alt', input.value.trim());
        } else if (altDialog.returnValue === 'none') {
          image.setAttribute('alt', '');
        }
        changed();
        $body.summernote('focus');
        resolve();
      });
      altDialog.showModal();
      input.focus();
    });
  }

  // Files pasted, dropped or picked in the image dialog all arrive here, one by one
  // in the order given, so several images keep their order in the text. `alt` is what
  // the picture dialog's field held; without it, each image's text is asked for.
  function uploadAll(files, alt) {
    clearError();
    var queue = Array.prototype.slice.call(files);
    (function next() {
      var file = queue.shift();
      if (!file) {
        return;
      }
      upload(file).then(function (url) {
        return new Promise(function (resolve) {
          // A callback instead of Summernote's default, which pins the image to a
          // pixel width; without one, the stylesheet fits it to the column, as readers
          // see it. It runs once the image has loaded, just before it is inserted.
          $body.summernote('insertImage', url, function ($image) {
            $image.attr('alt', alt || '');
            resolve($image[0]);
          });
          // An image that never loads is reported by onImageUploadError; go on.
          setTimeout(function () { resolve(null); }, 30000);
        });
      }).then(function (image) {
        if (!image || alt) {
          changed();
          next();
        } else {
          askAlt(image).then(next);
        }
      }, function (error) {
        showError((file.name ? file.name + ': ' : '') + error.message);
        next();
      });
    })();
  }

  // The image popover's button that opens the text dialog for the selected image.
  function altButton(context) {
    return jQuery.summernote.ui.button({
      contents: words.altButton,
      tooltip: words.altButton,
      className: 'note-alt-button',
      click: function () {
        var image = context.invoke('restoreTarget');
        if (image && image[0]) {
          askAlt(image[0]);
        }
      }
    }).render();
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
  // Tab and Shift+Tab move the focus (to the next field, back to the toolbar), as
  // everywhere else on the page, instead of indenting: a keyboard is never trapped.
  ['pc', 'mac'].forEach(function (os) {
    delete keyMap[os].TAB;
    delete keyMap[os]['SHIFT+TAB'];
  });
  var popover = jQuery.extend(true, {}, defaults.popover, {
    image: [
      ['resize', ['resizeFull', 'resizeHalf', 'resizeQuarter', 'resizeNone']],
      ['float', ['floatLeft', 'floatRight', 'floatNone']],
      ['alt', ['imageAlt']],
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
    buttons: { imageAlt: altButton },
    keyMap: keyMap,
    // (with the keyMap above) Tab is the browser's, not an indent.
    tabDisable: true,
    // The sanitizer drops `target`, so do not offer "open in a new window".
    linkTargetBlank: false,
    disableLinkTarget: true,
    callbacks: {
      onImageUpload: function (files) {
        // From the picture dialog (with the text typed in its field), or a paste or
        // a drop (the field is empty then, and the text is asked for).
        var field = editor.querySelector('.note-image-alt');
        var alt = field ? field.value.trim() : '';
        if (field) {
          field.value = '';
        }
        uploadAll(files, alt);
      },
      onImageUploadError: function () {
        showError(words.imageUnreadable);
      }
    }
  });

  var editor = jQuery(form).find('.note-editor')[0];
  jQuery(editor).after(message);
  accessible(editor);

  // What Summernote's own markup lacks, mended once it is built: every toolbar
  // button in the tab order, a name for the editing area and the toolbar, no
  // `aria-label` on the resize bar (a plain div may not have one), the picture
  // dialog without the "Image URL" field (the CSP only allows our own images, and
  // the sanitizer only /media/ ones) but with a field for the image's text.
  function accessible(root) {
    Array.prototype.forEach.call(
      root.querySelectorAll('.note-toolbar [tabindex="-1"], .note-popover [tabindex="-1"]'),
      function (element) { element.removeAttribute('tabindex'); }
    );
    var toolbar = root.querySelector('.note-toolbar');
    if (toolbar) {
      toolbar.setAttribute('aria-label', words.toolbarLabel);
    }
    var editable = root.querySelector('.note-editable');
    var label = document.getElementById('body-label');
    if (editable && label) {
      editable.setAttribute('aria-labelledby', 'body-label');
      // The label now names the editing area; clicking it goes there too.
      label.addEventListener('click', function (event) {
        event.preventDefault();
        $body.summernote('focus');
      });
    } else if (editable) {
      editable.setAttribute('aria-label', words.editorLabel);
    }
    var resize = root.querySelector('.note-resizebar');
    if (resize) {
      resize.removeAttribute('aria-label');
      resize.setAttribute('aria-hidden', 'true');
    }
    var url = root.querySelector('.note-image-url');
    if (url) {
      var group = url.closest('.note-form-group') || url.parentNode;
      var insert = root.querySelector('.note-image-btn');
      var footer = insert && insert.closest('.note-modal-footer');
      if (footer) {
        footer.remove();
      } else if (insert) {
        insert.remove();
      }
      var id = 'note-image-alt-' + Math.random().toString(36).slice(2);
      var field = document.createElement('div');
      field.className = 'note-form-group';
      field.innerHTML = '<label class="note-form-label"></label>' +
        '<input class="note-image-alt note-input" type="text" autocomplete="off">' +
        '<p class="hint"></p>';
      field.querySelector('label').textContent = words.altLabel;
      field.querySelector('label').htmlFor = id;
      field.querySelector('input').id = id;
      field.querySelector('input').setAttribute('aria-describedby', id + '-hint');
      field.querySelector('.hint').id = id + '-hint';
      field.querySelector('.hint').textContent = words.altHint;
      // Before the file field: text first, then the file, whose choice inserts it.
      var files = root.querySelector('.note-image-input');
      var filesGroup = files && files.closest('.note-form-group');
      if (filesGroup) {
        filesGroup.parentNode.insertBefore(field, filesGroup);
      }
      group.remove();
    }
    // Markup the Nu Html Checker refuses: `href` on buttons, `autocorrect="true"`
    // (the values are "on" and "off"), a menu of links marked as list items.
    Array.prototype.forEach.call(root.querySelectorAll('button[href], input[href]'), function (element) {
      element.removeAttribute('href');
    });
    if (editable && editable.hasAttribute('autocorrect')) {
      editable.setAttribute('autocorrect', 'on');
    }
    Array.prototype.forEach.call(root.querySelectorAll('.note-dropdown-menu[role="list"]'), function (menu) {
      menu.setAttribute('role', 'menu');
      Array.prototype.forEach.call(menu.querySelectorAll('.note-dropdown-item'), function (item) {
        item.setAttribute('role', 'menuitem');
        // Named by what it shows ("Heading 2"), not by its tag name ("h2").
        item.removeAttribute('aria-label');
        // The style menu shows each style as the real element (an h2 inside a link):
        // headings in a menu would join the page's outline, so they become spans
        // dressed alike (editor.css).
        Array.prototype.forEach.call(item.querySelectorAll('h1, h2, h3, h4, h5, h6, p, blockquote, pre'), function (element) {
          var span = document.createElement('span');
          span.className = 'note-style-' + element.tagName.toLowerCase();
          span.textContent = element.textContent;
          element.replaceWith(span);
        });
      });
    });
    // Dialog titles are h4s: the page's outline goes h1, h2; they become h2s.
    Array.prototype.forEach.call(root.querySelectorAll('h4.note-modal-title'), function (title) {
      var heading = document.createElement('h2');
      heading.className = title.className;
      heading.innerHTML = title.innerHTML;
      title.replaceWith(heading);
    });
    // The dialogs' close buttons are hidden from screen readers yet focusable: unhide.
    Array.prototype.forEach.call(root.querySelectorAll('.note-modal .close[aria-hidden]'), function (button) {
      button.removeAttribute('aria-hidden');
    });
    // Icon-only buttons: a name from their title.
    Array.prototype.forEach.call(root.querySelectorAll('button'), function (button) {
      if (!button.getAttribute('aria-label') && !button.textContent.trim()) {
        var title = button.getAttribute('title') || button.getAttribute('data-original-title');
        if (title) {
          button.setAttribute('aria-label', title);
        }
      }
    });
  }

  // Summernote keeps the textarea in step as you type; this makes sure the last change
  // is in it, and that an untouched editor posts an empty body, not `<p><br></p>`.
  form.addEventListener('submit', function () {
    textarea.value = $body.summernote('isEmpty') ? '' : $body.summernote('code');
  });
})();
