// The sign-in page: the operator's password, or the one-time link from the host's terminal,
// whose token is in the URL's fragment (never sent to a server, never in a Referer): it is taken
// out of the address bar at once and posted like a password.

import { $ } from './console-kit.js';

function showError(message) {
  const box = $('sign-in-error');
  box.textContent = message;
  box.hidden = !message;
}

async function signIn(credentials) {
  const response = await fetch('/console/api/sign-in', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(credentials),
  });
  if (response.ok) {
    window.location.replace('/console');
    return;
  }
  const data = await response.json().catch(() => null);
  showError(data?.message ?? `Could not sign in (${response.status}).`);
}

async function start() {
  const form = $('sign-in-form');
  const password = $('password');
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!password.value) {
      showError('Enter the console password.');
      password.focus();
      return;
    }
    const button = $('sign-in-button');
    button.disabled = true;
    $('sign-in-status').textContent = 'Signing in…';
    try {
      await signIn({ password: password.value });
    } catch {
      showError('The console cannot be reached: is the host running?');
    } finally {
      button.disabled = false;
      $('sign-in-status').textContent = '';
      if (!$('sign-in-error').hidden) {
        password.select();
        password.focus();
      }
    }
  });

  const link = new URLSearchParams(window.location.hash.slice(1)).get('link');
  if (link) {
    history.replaceState(null, '', window.location.pathname);
    $('sign-in-status').textContent = 'Signing in with the link…';
    await signIn({ link }).catch(() => showError('The console cannot be reached.'));
    $('sign-in-status').textContent = '';
    password.focus();
    return;
  }
  const session = await fetch('/console/api/session')
    .then((r) => r.json())
    .catch(() => null);
  if (session?.signedIn) {
    window.location.replace('/console');
    return;
  }
  password.focus();
}

start();
