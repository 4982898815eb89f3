// Passkeys (WebAuthn), for the pages that offer them: adding one (the profile and the
// two-factor page, `.passkey-add`), and logging in with one (the login page and the
// login's second step, `.passkey-login`). The server makes every challenge and checks
// every answer (webauthn-rs); this only carries them between it and the browser's
// `navigator.credentials`, turning base64url strings into bytes and back. Without
// JavaScript, or without WebAuthn, the buttons stay disabled and the forms work.
(function () {
  'use strict';

  if (!window.PublicKeyCredential || !window.fetch || !navigator.credentials) {
    return;
  }

  function bytes(text) {
    var b64 = text.replace(/-/g, '+').replace(/_/g, '/');
    while (b64.length % 4) {
      b64 += '=';
    }
    var raw = atob(b64);
    var out = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) {
      out[i] = raw.charCodeAt(i);
    }
    return out.buffer;
  }

  function text(buffer) {
    if (!buffer) {
      return null;
    }
    var view = new Uint8Array(buffer);
    var raw = '';
    for (var i = 0; i < view.length; i++) {
      raw += String.fromCharCode(view[i]);
    }
    return btoa(raw).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  }

  function csrfToken() {
    var input = document.querySelector('input[name=csrf_token]');
    return input ? input.value : '';
  }

  // POSTs a form (with the CSRF token) and gives the JSON answer, or throws its
  // `error` sentence.
  function post(url, fields) {
    var body = new URLSearchParams();
    body.set('csrf_token', csrfToken());
    Object.keys(fields || {}).forEach(function (name) {
      body.set(name, fields[name]);
    });
    return fetch(url, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { Accept: 'application/json' },
      body: body
    }).then(function (response) {
      return response.json().catch(function () {
        return { error: 'status ' + response.status };
      }).then(function (json) {
        if (!response.ok || json.error) {
          throw new Error(json.error || 'status ' + response.status);
        }
        return json;
      });
    });
  }

  function say(block, message, failed) {
    var status = block.querySelector('.passkey-status');
    if (status) {
      status.textContent = message || '';
      status.classList.toggle('failed', !!failed);
    }
  }

  // A new passkey: the server's options, the authenticator, the server's check.
  function add(block, button) {
    var nameInput = block.querySelector('#passkey-name');
    button.disabled = true;
    say(block, '');
    post(block.dataset.start)
      .then(function (options) {
        var key = options.publicKey;
        key.challenge = bytes(key.challenge);
        key.user.id = bytes(key.user.id);
        (key.excludeCredentials || []).forEach(function (c) {
          c.id = bytes(c.id);
        });
        return navigator.credentials.create({ publicKey: key });
      })
      .then(function (credential) {
        var answer = {
          id: credential.id,
          rawId: text(credential.rawId),
          type: credential.type,
          response: {
            attestationObject: text(credential.response.attestationObject),
            clientDataJSON: text(credential.response.clientDataJSON)
          },
          extensions: {}
        };
        return post(block.dataset.finish, {
          credential: JSON.stringify(answer),
          name: nameInput ? nameInput.value : ''
        });
      })
      .then(function () {
        window.location.reload();
      })
      .catch(function (err) {
        button.disabled = false;
        say(block, err.message, true);
      });
  }

  // A login with a passkey: any of this site's (the login page), or one of the
  // account's whose password was just right (the second step).
  function logIn(block, button) {
    button.disabled = true;
    say(block, '');
    post(block.dataset.start)
      .then(function (options) {
        var key = options.publicKey;
        key.challenge = bytes(key.challenge);
        (key.allowCredentials || []).forEach(function (c) {
          c.id = bytes(c.id);
        });
        return navigator.credentials.get({ publicKey: key });
      })
      .then(function (credential) {
        var response = credential.response;
        var answer = {
          id: credential.id,
          rawId: text(credential.rawId),
          type: credential.type,
          response: {
            authenticatorData: text(response.authenticatorData),
            clientDataJSON: text(response.clientDataJSON),
            signature: text(response.signature),
            userHandle: text(response.userHandle)
          },
          extensions: {}
        };
        var next = document.querySelector('input[name=next]');
        return post(block.dataset.finish, {
          credential: JSON.stringify(answer),
          next: next ? next.value : ''
        });
      })
      .then(function (json) {
        window.location.assign(json.redirect || '/');
      })
      .catch(function (err) {
        button.disabled = false;
        say(block, err.message, true);
      });
  }

  document.querySelectorAll('.passkey-add').forEach(function (block) {
    var button = block.querySelector('button');
    button.disabled = false;
    button.addEventListener('click', function () {
      add(block, button);
    });
  });
  document.querySelectorAll('.passkey-login').forEach(function (block) {
    var button = block.querySelector('button');
    button.disabled = false;
    button.addEventListener('click', function () {
      logIn(block, button);
    });
  });
})();
