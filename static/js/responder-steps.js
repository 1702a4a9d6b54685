/* The responder's steps through the offline queue (docs/field-app.md): "Accept", "On my way",
 * "Arrived" and "Done" are kept on the phone with the time they were pressed and sent when
 * there is a network (at once if there is one). Without a network the card shows the step as
 * waiting and offers the next one, so a responder in a valley can go on working; the server
 * records when each step happened and when it arrived.
 *
 * Decline stays a plain form (it needs the server to offer the matter to someone else at once).
 * Reads #step-queue-data (user, API URL, step labels, the next step of each, texts).
 */
(function () {
  'use strict';

  const node = document.getElementById('step-queue-data');
  const queue = window.PinganQueue;
  if (!node || !queue || !window.PinganOffline) return;
  const data = JSON.parse(node.textContent);
  const t = data.strings;
  const lang = document.documentElement.lang;
  const QUEUED = new Set(['accept', 'en_route', 'arrive', 'done']);
  const format = (template, values) =>
    template.replace(/%\((\w+)\)s/g, (match, key) => (key in values ? values[key] : match));

  const csrfToken = () => {
    const input = document.querySelector('input[name="csrfmiddlewaretoken"]');
    return queue.csrfTokenFromCookie() || (input ? input.value : '');
  };
  const flushNow = () => queue.flush({user: data.user, csrfToken: csrfToken()});

  function stepUrl(assignment, step) {
    return data.url.replace('/0/', `/${encodeURIComponent(assignment)}/`).replace(/accept\/$/, `${step}/`);
  }

  function card(assignment) {
    return document.querySelector(`[data-live-region="responder-now"] [data-assignment="${CSS.escape(String(assignment))}"]`);
  }

  /* Show a queued step on its card and offer the next step (a form this script sends). */
  function showQueued(item) {
    const article = card(item.meta.assignment);
    if (!article) return;
    const steps = article.querySelector('.steps');
    const time = new Date(item.meta.at).toLocaleTimeString(lang, {hour: '2-digit', minute: '2-digit'});
    const line = document.createElement('p');
    line.className = 'queued-step notice';
    line.textContent = format(t.queued, {step: data.labels[item.meta.step], time});
    const children = [line];
    const next = data.next[item.meta.step];
    if (next) children.push(stepForm(item.meta.assignment, next));
    steps.replaceChildren(...children);
    article.dataset.queuedStep = item.meta.step;
  }

  // The one-tap steps ask once before they are sent, as on the server's page
  // (responder-confirm.js shows these parts in place of the button).
  function confirmParts(button, step) {
    button.classList.add('step-go');
    const confirm = document.createElement('p');
    confirm.className = 'step-confirm';
    confirm.hidden = true;
    const question = document.createElement('span');
    question.textContent = format(t.confirm, {step: data.labels[step]});
    const yes = document.createElement('button');
    yes.type = 'submit';
    yes.className = 'button primary big step-yes';
    yes.textContent = t.yes;
    const back = document.createElement('button');
    back.type = 'button';
    back.className = 'button big step-back';
    back.textContent = t.back;
    confirm.append(question, yes, back);
    return [confirm];
  }

  function stepForm(assignment, step) {
    const form = document.createElement('form');
    form.className = step === 'done' ? 'stacked' : 'step-form';
    form.dataset.step = step;
    form.dataset.assignment = String(assignment);
    if (step === 'done') {
      const id = `queued-note-${assignment}`;
      const label = document.createElement('label');
      label.htmlFor = id;
      label.textContent = t.outcome;
      const note = document.createElement('textarea');
      note.id = id;
      note.name = 'note';
      note.rows = 3;
      note.maxLength = 2000;
      note.required = true;
      const box = document.createElement('div');
      box.className = 'field';
      box.append(label, note);
      form.append(box);
    }
    const button = document.createElement('button');
    button.type = 'submit';
    button.className = 'button primary big';
    button.textContent = data.labels[step];
    form.append(button);
    if (step !== 'done') form.append(...confirmParts(button, step));
    return form;
  }

  async function queueStep(form) {
    const assignment = form.dataset.assignment;
    const step = form.dataset.step;
    const note = form.elements.namedItem('note');
    const at = new Date().toISOString();
    const uid = queue.newUuid();
    const title = card(assignment) ? card(assignment).querySelector('h3').textContent : '';
    const item = await queue.enqueue('step', stepUrl(assignment, step), {note: note ? note.value : '', at, uid}, [], {
      id: uid, label: `${data.labels[step]} · ${title}`, user: data.user, meta: {assignment, step, at},
    });
    if (navigator.onLine !== false) await flushNow();
    const sent = await queue.get(item.id);
    if (sent && sent.status === 'sent') {
      window.location.reload();  // the server's page shows the new state and the next steps
    } else if (sent && sent.status !== 'refused') {
      showQueued(sent);
    }
  }

  document.addEventListener('submit', (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !QUEUED.has(form.dataset.step)) return;
    if (!form.reportValidity()) {
      event.preventDefault();
      return;
    }
    event.preventDefault();
    form.querySelectorAll('button').forEach((button) => { button.disabled = true; });
    queueStep(form).catch(() => {
      // IndexedDB refused (private browsing): the plain form post, as without this script.
      form.submit();
    });
  });

  // Opened again (maybe the copy saved on the phone): the steps still waiting show on their cards.
  async function restore() {
    const waiting = (await queue.list({user: data.user, kind: 'step'}))
      .filter((item) => item.status === 'waiting' || item.status === 'sending');
    for (const item of waiting) showQueued(item);  // oldest first: the last one wins
  }

  PinganOffline.panel(document.getElementById('step-queue'), {
    user: data.user, kind: 'step', strings: t, flush: flushNow,
    onRender(items) {
      // Everything sent meanwhile (the network came back): show the server's state of the cards.
      const waiting = items.some((item) => item.status === 'waiting' || item.status === 'sending');
      if (!waiting && document.querySelector('[data-queued-step]')) window.location.reload();
    },
  });
  queue.autoFlush({user: data.user, csrfToken});
  restore().catch(() => {});
})();
