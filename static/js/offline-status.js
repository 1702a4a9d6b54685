/* The offline queue's status panel (docs/field-app.md): "waiting to send (n)", each item with
 * its state ("sent" with a link, a refusal with the server's reason and buttons to edit or
 * discard it), kept current as the queue changes in any tab or the service worker.
 *
 *   PinganOffline.panel(container, {user, kind, strings, link(item) → URL or '', onEdit(item)})
 *   PinganOffline.syncLine(node, {syncedAt, strings}): "Last synced …", and "no network: saved
 *     copy" while the browser is offline.
 *
 * Texts come from the page's data (config/pwa.py queue_strings); data goes in with textContent.
 */
(function () {
  'use strict';

  const format = (template, values) =>
    template.replace(/%\((\w+)\)s/g, (match, key) => (key in values ? values[key] : match));

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (key === 'class') node.className = value;
      else node.setAttribute(key, value);
    }
    node.append(...children.filter((child) => child !== null && child !== undefined && child !== ''));
    return node;
  }

  const time = window.PinganDates.ymdhm;

  function reason(item, t) {
    const error = item.error || {};
    const messages = Object.values(error.errors || {}).flat().filter(Boolean);
    return messages.length ? messages.join(' ') : (error.detail || String(error.status || ''));
  }

  function stateText(item, t) {
    if (item.status === 'sent') return t.statusSent;
    if (item.status === 'refused') return format(t.statusRefused, {reason: reason(item, t)});
    if (item.status === 'sending') return t.statusSending;
    if (item.error && item.error.code === 'auth') return `${t.statusWaiting} · ${t.auth}`;
    return t.statusWaiting;
  }

  function panel(container, options) {
    const t = options.strings;
    const queue = window.PinganQueue;
    const count = el('p', {class: 'queue-count', role: 'status', 'aria-live': 'polite'});
    const items = el('ul', {class: 'queue-items'});
    container.replaceChildren(count, items);
    container.hidden = true;

    function button(label, action) {
      const node = el('button', {type: 'button', class: 'link-button'}, label);
      node.addEventListener('click', action);
      return node;
    }

    function row(item) {
      const link = item.status === 'sent' && options.link ? options.link(item) : '';
      const actions = [];
      if (item.status === 'refused') {
        if (options.onEdit) actions.push(button(t.edit, () => options.onEdit(item)));
        actions.push(button(t.retry, () => queue.retry(item.id).then(() => options.flush && options.flush())));
        actions.push(button(t.discard, () => {
          if (window.confirm(t.confirmDiscard)) queue.remove(item.id);
        }));
      }
      return el('li', {class: `queue-item status-${item.status}`, 'data-id': item.id, 'data-status': item.status,
        'data-attempts': String(item.attempts), 'data-error': (item.error && item.error.code) || ''},
        el('strong', {}, item.label || item.kind), ' ',
        el('span', {class: 'queue-state'}, stateText(item, t)), ' ',
        el('small', {class: 'muted'}, format(t.savedAt, {time: time(item.createdAt)})), ' ',
        link ? el('a', {href: link}, t.open) : null,
        ...actions.flatMap((action) => [' ', action]));
    }

    async function render() {
      let list;
      try {
        list = await queue.list({user: options.user, kind: options.kind});
      } catch (error) {
        return;  // IndexedDB refused: nothing was kept either
      }
      const waiting = list.filter((item) => item.status === 'waiting' || item.status === 'sending').length;
      count.textContent = waiting ? format(t.waiting, {count: waiting}) : t.allSent;
      container.dataset.waiting = String(waiting);
      items.replaceChildren(...list.slice().reverse().map(row));
      container.hidden = list.length === 0;
      if (options.onRender) options.onRender(list);
    }

    queue.onChange(render);
    render();
    return {render};
  }

  function syncLine(node, options) {
    const t = options.strings;
    function show() {
      const synced = format(t.lastSynced, {time: time(options.syncedAt)});
      node.textContent = navigator.onLine === false ? `${t.offlineCopy} ${synced}` : synced;
      node.classList.toggle('offline', navigator.onLine === false);
    }
    window.addEventListener('online', show);
    window.addEventListener('offline', show);
    show();
  }

  window.PinganOffline = {panel, syncLine};

  // Pages that only show (my grid): <p class="sync-line" data-synced-at data-text-synced
  // data-text-offline> and <section data-queue-panel data-kind data-user> with #queue-strings.
  for (const node of document.querySelectorAll('.sync-line[data-synced-at]')) {
    syncLine(node, {syncedAt: node.dataset.syncedAt,
      strings: {lastSynced: node.dataset.textSynced, offlineCopy: node.dataset.textOffline}});
  }
  const stringsNode = document.getElementById('queue-strings');
  if (window.PinganQueue && stringsNode) {
    const strings = JSON.parse(stringsNode.textContent);
    const links = JSON.parse((document.getElementById('queue-links') || {textContent: '{}'}).textContent);
    for (const node of document.querySelectorAll('[data-queue-panel]')) {
      const link = (item) => {
        const result = item.result || {};
        const id = (result.properties && result.properties.id) || result.id;
        return id && links.detail ? links.detail.replace('/0/', `/${encodeURIComponent(id)}/`) : '';
      };
      panel(node, {user: node.dataset.user, kind: node.dataset.kind || undefined, strings, link});
      window.PinganQueue.autoFlush({user: node.dataset.user});
    }
  }
})();
