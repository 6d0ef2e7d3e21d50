// Shared by the console's modules: the console API, a DOM builder, and modal dialogs (the native
// <dialog>: modal, Escape closes it) with a focus trap on Tab and focus given back on close.

export const $ = (id) => document.getElementById(id);

/** The session's CSRF token, read once from the API (only the signed-in page can read it). */
let csrfToken = null;

/** Back to the sign-in page, coming back here afterwards. */
export function toSignIn() {
  window.location.assign('/console/sign-in');
}

async function request(method, path, body) {
  const headers = body === undefined ? {} : { 'Content-Type': 'application/json' };
  if (method !== 'GET' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  const response = await fetch(`/console/api/${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { response, data: await response.json().catch(() => null) };
}

/** Reads the session; sends the browser to the sign-in page when there is none. */
export async function requireSession() {
  const { data } = await request('GET', 'session');
  if (!data?.signedIn) {
    toSignIn();
    return false;
  }
  csrfToken = data.csrfToken;
  return true;
}

/** One call of the console API; rejects with the API's {code, message, details}. */
export async function api(method, path, body) {
  const { response, data } = await request(method, path, body);
  if (response.status === 401 && path !== 'sign-in') {
    // The session ended (idle, signed out elsewhere, password changed): sign in again.
    toSignIn();
  }
  if (!response.ok) {
    const err = new Error(data?.message ?? `The console API answered ${response.status}.`);
    Object.assign(err, { status: response.status, code: data?.code, details: data?.details });
    throw err;
  }
  return data;
}

export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    if (name === 'text') node.textContent = value;
    else if (name === 'className') node.className = value;
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  node.append(...children.filter((child) => child !== null && child !== undefined));
  return node;
}

// ------------------------------------------------------------------------------------------
// Dialogs: modal, Escape closes (native), Tab stays inside, focus returns to the opener.

const FOCUSABLE =
  'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

export function focusables(dialog) {
  return [...dialog.querySelectorAll(FOCUSABLE)].filter(
    (node) => node.offsetParent !== null || node === document.activeElement,
  );
}

export function trapFocus(dialog) {
  dialog.addEventListener('keydown', (event) => {
    if (event.key !== 'Tab') return;
    const nodes = focusables(dialog);
    if (nodes.length === 0) return;
    const first = nodes[0];
    const last = nodes[nodes.length - 1];
    if (
      event.shiftKey &&
      (document.activeElement === first || !dialog.contains(document.activeElement))
    ) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first.focus();
    }
  });
  for (const button of dialog.querySelectorAll('[data-close]')) {
    button.addEventListener('click', () => dialog.close());
  }
}

export function openDialog(dialog, opener, focusTarget) {
  dialog.returnFocusTo = opener;
  dialog.showModal();
  (focusTarget ?? focusables(dialog)[0])?.focus();
}

/** Closes a dialog whose opener was replaced, giving focus to its successor instead. */
export function closeOnto(dialog, selector) {
  dialog.returnFocusTo = document.querySelector(selector);
  dialog.close();
}

export function restoreFocusOnClose(dialog) {
  dialog.addEventListener('close', () => {
    const target = dialog.returnFocusTo;
    dialog.returnFocusTo = null;
    if (target?.isConnected) target.focus();
    else $('main').focus();
  });
}
