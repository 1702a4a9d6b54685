/* The offline queue of Pingan Grid (docs/field-app.md): writes made on a phone without a
 * network are kept in IndexedDB and sent, oldest first, when the connection returns.
 *
 * Loaded by the field pages (window.PinganQueue) and by the service worker (self.PinganQueue,
 * for Background Sync). No library: IndexedDB directly.
 *
 * API (every function returns a Promise unless said otherwise):
 *   enqueue(kind, url, payload, files = [], options = {}) → item
 *       kind: a short name the page filters on ('incident', 'step', 'track' …);
 *       url: same-origin POST endpoint (the JSON API);
 *       payload: an object — sent as JSON, or as multipart form fields when there are files
 *         (values must then be strings);
 *       files: [{field, blob, name}] (multipart);
 *       options: {id: the item's uid (default a new UUID; enqueueing the same id again replaces
 *         the item, e.g. after editing a refused one), label: text shown to the user,
 *         user: the signed-in user's id (default currentUser()), meta: anything the page wants
 *         back (e.g. the form's fields to edit)}.
 *       The endpoint must be idempotent by the id the page puts into the payload (the matter's
 *       uid, the step's uid): a request whose answer was lost is sent again.
 *   flush({csrfToken, user}) → {sent, refused, waiting}: sends the user's waiting items in
 *       order; stops at the first that cannot reach the server (the rest keep their order).
 *       Runs once at a time across tabs and the service worker (Web Locks where available).
 *   list({user, kind}) → items, oldest first. An item: {id, kind, url, label, meta, user,
 *       createdAt, status: 'waiting' | 'sending' | 'refused' | 'sent', attempts,
 *       error: {code: 'network' | 'auth' | 'server' | 'refused', status, detail, errors},
 *       result (the server's JSON answer), sentAt}. Sent items are kept a day for the record.
 *   get(id), remove(id), retry(id) (a refused item back to waiting).
 *   onChange(callback) (not a Promise): callback() after any change, in any tab or the worker.
 *   currentUser(), setCurrentUser(id): whose items the service worker may send.
 *   getMeta(key), setMeta(key, value): small values kept beside the queue (the worker's start page).
 *   autoFlush({user, csrfToken: () => token, intervalMs}) (pages only, not a Promise): flush
 *       now, when the browser says it is online again, when the page becomes visible, and on a
 *       timer while items wait; also asks for Background Sync where the browser has it.
 *   csrfTokenFromCookie(name = 'csrftoken') (pages only).
 *
 * Answers: 2xx → sent; 400/404/409/410/413/422 → refused (detail and errors from the JSON kept,
 * shown to the user, the item stays to be edited or discarded); 401/403 → waiting ('auth': sign
 * in again); 429, 5xx, no answer → waiting, tried again later.
 */
(function (root) {
  'use strict';

  const DB_NAME = 'pingan-offline';
  const DB_VERSION = 1;
  const ITEMS = 'items';
  const META = 'meta';
  const SYNC_TAG = 'pingan-queue';
  const LOCK = 'pingan-queue-flush';
  const SENT_KEEP_MS = 24 * 3600 * 1000;
  // Six resized photos over a slow mobile link: minutes, not seconds.
  const REQUEST_TIMEOUT_MS = 180 * 1000;
  const REFUSED = new Set([400, 404, 409, 410, 413, 422]);

  const listeners = new Set();
  const channel = 'BroadcastChannel' in root ? new BroadcastChannel('pingan-queue') : null;
  if (channel) channel.addEventListener('message', () => listeners.forEach((callback) => callback()));

  function changed() {
    listeners.forEach((callback) => callback());
    if (channel) channel.postMessage('changed');
  }

  function newUuid() {
    if (root.crypto && crypto.randomUUID) return crypto.randomUUID();
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const hex = [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }

  // --- IndexedDB --------------------------------------------------------------------------------

  let opened = null;
  function database() {
    if (!opened) {
      opened = new Promise((resolve, reject) => {
        const request = indexedDB.open(DB_NAME, DB_VERSION);
        request.addEventListener('upgradeneeded', () => {
          const db = request.result;
          db.createObjectStore(ITEMS, {keyPath: 'id'});
          db.createObjectStore(META, {keyPath: 'key'});
        });
        request.addEventListener('success', () => resolve(request.result));
        request.addEventListener('error', () => reject(request.error));
      });
    }
    return opened;
  }

  /* Run work(store) in one transaction; resolves with the value of the request it returns. */
  async function inStore(name, mode, work) {
    const db = await database();
    return new Promise((resolve, reject) => {
      const transaction = db.transaction(name, mode);
      const request = work(transaction.objectStore(name));
      transaction.addEventListener('complete', () => resolve(request ? request.result : undefined));
      transaction.addEventListener('error', () => reject(transaction.error));
      transaction.addEventListener('abort', () => reject(transaction.error));
    });
  }

  const put = (item) => inStore(ITEMS, 'readwrite', (store) => store.put(item));
  const get = (id) => inStore(ITEMS, 'readonly', (store) => store.get(id));

  async function update(id, changes) {
    const item = await get(id);
    if (!item) return null;
    Object.assign(item, changes);
    await put(item);
    changed();
    return item;
  }

  async function getMeta(key) {
    const record = await inStore(META, 'readonly', (store) => store.get(key));
    return record ? record.value : '';
  }

  async function setMeta(key, value) {
    await inStore(META, 'readwrite', (store) => store.put({key, value}));
  }

  const currentUser = () => getMeta('user');
  const setCurrentUser = (id) => setMeta('user', String(id || ''));

  // --- the queue --------------------------------------------------------------------------------

  // Items go out in the order they were made: two made in the same millisecond (a patrol's
  // last batch and its end) still get distinct, increasing times.
  let lastCreated = 0;
  function createdNow() {
    lastCreated = Math.max(Date.now(), lastCreated + 1);
    return new Date(lastCreated).toISOString();
  }

  async function enqueue(kind, url, payload, files, options) {
    const opts = options || {};
    const user = opts.user !== undefined ? String(opts.user) : await currentUser();
    const item = {
      id: opts.id || newUuid(),
      kind,
      url,
      payload,
      files: files || [],
      format: files && files.length ? 'multipart' : 'json',
      label: opts.label || '',
      meta: opts.meta || null,
      user,
      createdAt: createdNow(),
      status: 'waiting',
      attempts: 0,
      error: null,
      result: null,
      sentAt: null,
    };
    await put(item);
    changed();
    requestSync();
    return item;
  }

  async function list(filter) {
    const {user, kind} = filter || {};
    const all = await inStore(ITEMS, 'readonly', (store) => store.getAll());
    const old = Date.now() - SENT_KEEP_MS;
    const stale = all.filter((item) => item.status === 'sent' && Date.parse(item.sentAt) < old);
    if (stale.length) {
      await inStore(ITEMS, 'readwrite', (store) => {
        stale.forEach((item) => store.delete(item.id));
      });
    }
    return all
      .filter((item) => !stale.includes(item))
      .filter((item) => user === undefined || item.user === String(user))
      .filter((item) => kind === undefined || item.kind === kind)
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  async function remove(id) {
    await inStore(ITEMS, 'readwrite', (store) => store.delete(id));
    changed();
  }

  const retry = (id) => update(id, {status: 'waiting', error: null});

  // --- sending ----------------------------------------------------------------------------------

  function body(item) {
    if (item.format !== 'multipart') return JSON.stringify(item.payload);
    const form = new FormData();
    for (const [key, value] of Object.entries(item.payload)) form.append(key, value);
    for (const file of item.files) form.append(file.field, file.blob, file.name);
    return form;
  }

  async function answer(response) {
    try {
      return await response.json();
    } catch (error) {
      return null;  // a proxy's error page: the status says enough
    }
  }

  /* Send one item; resolves with what became of it ('sent' | 'refused' | 'waiting') and whether
   * the server could be reached at all. */
  async function send(item, csrfToken) {
    await update(item.id, {status: 'sending', attempts: item.attempts + 1});
    const headers = {Accept: 'application/json', 'X-CSRFToken': csrfToken || ''};
    if (item.format !== 'multipart') headers['Content-Type'] = 'application/json';
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), REQUEST_TIMEOUT_MS);
    let response;
    try {
      response = await fetch(item.url, {
        method: 'POST', credentials: 'same-origin', headers, body: body(item), signal: abort.signal,
      });
    } catch (error) {
      await update(item.id, {status: 'waiting', error: {code: 'network', status: 0, detail: ''}});
      return {status: 'waiting', reached: false};
    } finally {
      clearTimeout(timer);
    }
    const data = await answer(response);
    const detail = (data && data.detail) || '';
    if (response.ok) {
      await update(item.id, {status: 'sent', error: null, result: data, sentAt: new Date().toISOString()});
      return {status: 'sent', reached: true};
    }
    if (REFUSED.has(response.status)) {
      const errors = (data && data.errors) || {};
      await update(item.id, {status: 'refused', error: {code: 'refused', status: response.status, detail, errors}});
      return {status: 'refused', reached: true};
    }
    const code = response.status === 401 || response.status === 403 ? 'auth' : 'server';
    await update(item.id, {status: 'waiting', error: {code, status: response.status, detail}});
    // Signed out or a server in trouble: the next items would meet the same.
    return {status: 'waiting', reached: false};
  }

  async function sendAll(options) {
    const summary = {sent: 0, refused: 0, waiting: 0};
    const pending = (await list({user: options.user}))
      .filter((item) => item.status === 'waiting' || item.status === 'sending');
    let reachable = true;
    for (const item of pending) {
      if (!reachable) {
        summary.waiting += 1;
        continue;
      }
      const outcome = await send(item, options.csrfToken);
      summary[outcome.status] += 1;
      reachable = outcome.reached;
    }
    return summary;
  }

  function flush(options) {
    const opts = options || {};
    if (opts.user === undefined || opts.user === '') return Promise.resolve({sent: 0, refused: 0, waiting: 0});
    const go = () => sendAll(opts);
    const locks = root.navigator && root.navigator.locks;
    return locks ? locks.request(LOCK, go) : go();
  }

  function requestSync() {
    const workers = root.navigator && root.navigator.serviceWorker;
    if (!workers || !root.document) return;
    workers.ready
      .then((registration) => registration.sync && registration.sync.register(SYNC_TAG))
      .catch(() => {
        // No Background Sync (Firefox, WeChat's browser): autoFlush's timer does the job.
      });
  }

  function csrfTokenFromCookie(name) {
    const key = `${name || 'csrftoken'}=`;
    const part = root.document.cookie.split('; ').find((cookie) => cookie.startsWith(key));
    return part ? decodeURIComponent(part.slice(key.length)) : '';
  }

  function onChange(callback) {
    listeners.add(callback);
  }

  function autoFlush(options) {
    const user = String(options.user || '');
    if (!user) return;
    const token = options.csrfToken || (() => csrfTokenFromCookie());
    const interval = options.intervalMs || 30 * 1000;
    const run = () => flush({user, csrfToken: token()}).catch(() => {
      // IndexedDB refused (private mode): nothing can wait; the next run tries again.
    });
    setCurrentUser(user).catch(() => {});
    root.addEventListener('online', run);
    root.document.addEventListener('visibilitychange', () => {
      if (root.document.visibilityState === 'visible') run();
    });
    setInterval(async () => {
      const waiting = (await list({user})).some((item) => item.status === 'waiting');
      if (waiting && root.navigator.onLine !== false) run();
    }, interval);
    run();
  }

  root.PinganQueue = {
    SYNC_TAG, enqueue, flush, list, get, remove, retry, onChange, currentUser, setCurrentUser,
    getMeta, setMeta, autoFlush, csrfTokenFromCookie, newUuid,
  };
})(self);
