// The console page: the marketplace listing with Install, Configure and Uninstall. The popup is
// console-popup.js; everything comes from /console/api, and no secret ever does.

import {
  $,
  api,
  closeOnto,
  el,
  openDialog,
  requireSession,
  restoreFocusOnClose,
  toSignIn,
  trapFocus,
} from './console-kit.js';
import { openConfiguration, setupPopup } from './console-popup.js';

function announce(text) {
  $('page-status').textContent = text;
}

// ------------------------------------------------------------------------------------------
// The marketplace listing.

const page = { product: null };

function logo() {
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('viewBox', '0 0 48 48');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  svg.innerHTML =
    '<circle cx="24" cy="24" r="22" fill="#f22f46"/><circle cx="24" cy="24" r="14" fill="none" stroke="#fff" stroke-width="3"/>' +
    '<circle cx="19.5" cy="19.5" r="3" fill="#fff"/><circle cx="28.5" cy="19.5" r="3" fill="#fff"/>' +
    '<circle cx="19.5" cy="28.5" r="3" fill="#fff"/><circle cx="28.5" cy="28.5" r="3" fill="#fff"/>';
  return svg;
}

function formatDate(ms) {
  return ms
    ? new Date(ms).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' })
    : '';
}

function statusLine(installation) {
  if (!installation.installed) {
    return el(
      'p',
      { className: 'product-status' },
      el('span', { className: 'badge', text: 'Not installed' }),
    );
  }
  const needsAttention = !installation.active;
  const line = el(
    'p',
    { className: 'product-status' },
    el('span', {
      className: needsAttention ? 'badge badge-warning' : 'badge badge-installed',
      text: needsAttention ? 'Needs attention' : 'Installed',
    }),
    el('span', {
      className: 'product-since',
      text: installation.updatedAt
        ? `Saved ${formatDate(installation.updatedAt)}`
        : installation.source === 'default'
          ? "With the simulator's default settings"
          : "With the host's settings",
    }),
  );
  const notes = [];
  if (needsAttention) {
    notes.push(
      `The saved configuration cannot be used: ${installation.problems
        .map((p) => `${p.field} ${p.reason}`)
        .join('; ')}. Open Configure to fix it.`,
    );
  }
  if (installation.source === 'environment') {
    notes.push(
      "Configured by the host's environment: changes saved here last until the host restarts.",
    );
  }
  if (installation.pendingRestart.length) {
    notes.push(
      `Users-table settings (${installation.pendingRestart.join(', ')}) take effect when the host restarts.`,
    );
  }
  return [line, ...notes.map((text) => el('p', { className: 'product-note', text }))];
}

function renderProduct(product) {
  page.product = product;
  const { installation } = product;
  const actions = el('div', { className: 'product-actions' });
  if (installation.installed) {
    actions.append(
      el('button', {
        type: 'button',
        className: 'button button-primary',
        'data-action': 'configure',
        text: 'Configure',
      }),
      el('button', {
        type: 'button',
        className: 'button button-quiet',
        'data-action': 'uninstall',
        text: 'Uninstall',
      }),
    );
  } else {
    actions.append(
      el('button', {
        type: 'button',
        className: 'button button-primary',
        'data-action': 'install',
        text: 'Install',
      }),
    );
  }
  const card = el(
    'li',
    { className: 'product', 'aria-labelledby': `product-${product.id}` },
    el('div', { className: 'product-logo' }, logo()),
    el(
      'div',
      { className: 'product-main' },
      el('h2', { id: `product-${product.id}`, text: product.name }),
      el('p', {
        className: 'product-meta',
        text: `Version ${product.version} · ${product.publisher}`,
      }),
      el('p', { className: 'product-description', text: product.description }),
      ...[statusLine(installation)].flat(),
    ),
    actions,
  );
  for (const button of actions.querySelectorAll('button')) {
    button.setAttribute('aria-describedby', `product-${product.id}`);
  }
  const list = $('products');
  list.replaceChildren(card);
  list.setAttribute('aria-busy', 'false');
}

async function loadProducts() {
  try {
    renderProduct(await api('GET', 'product'));
  } catch (err) {
    $('products').replaceChildren(
      el('li', { className: 'notice notice-error', text: err.message }),
    );
  }
}

/** After SAVE: the card shows the installation; the page says what changed. */
function saved(product) {
  renderProduct(product);
  const pending = product.installation.pendingRestart;
  announce(
    `${product.name} is installed and active.${pending.length ? ' Users-table settings take effect when the host restarts.' : ''}`,
  );
}

async function uninstall() {
  const button = $('confirm-uninstall');
  button.disabled = true;
  try {
    const product = await api('POST', 'uninstall', {});
    renderProduct(product);
    closeOnto($('uninstall-dialog'), '[data-action="install"]');
    announce(`${product.name} is uninstalled: registration and login are the BaaS's own again.`);
  } catch (err) {
    announce(`Could not uninstall: ${err.message}`);
  } finally {
    button.disabled = false;
  }
}

async function signOut() {
  try {
    await api('POST', 'sign-out', {});
  } finally {
    toSignIn();
  }
}

async function start() {
  if (!(await requireSession())) return;
  $('sign-out').addEventListener('click', signOut);
  for (const dialog of document.querySelectorAll('dialog')) {
    trapFocus(dialog);
    restoreFocusOnClose(dialog);
  }
  $('products').addEventListener('click', (event) => {
    const button = event.target.closest('button[data-action]');
    if (!button) return;
    const action = button.dataset.action;
    if (action === 'install' || action === 'configure') {
      openConfiguration(button, page.product, saved).catch((err) => {
        announce(`Could not open the configuration: ${err.message}`);
      });
    }
    if (action === 'uninstall') {
      $('uninstall-title').textContent = `Uninstall ${page.product.name}?`;
      openDialog($('uninstall-dialog'), button);
    }
  });
  setupPopup();
  $('confirm-uninstall').addEventListener('click', uninstall);
  loadProducts();
}

start();
