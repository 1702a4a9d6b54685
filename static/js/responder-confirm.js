/* The responder's one-tap steps (accept, on my way, arrived) ask once before they are sent: a
 * thumb on a moving phone should not send a step by accident. The first tap shows "Confirm: …?"
 * with Yes / No in place of the button; Yes sends the form. Cards live.js inserts later are
 * handled too (the listener is on the document). Without this script the button sends at once.
 */
(function () {
  'use strict';

  function parts(form) {
    return {go: form.querySelector('.step-go'), confirm: form.querySelector('.step-confirm')};
  }

  document.addEventListener('click', (event) => {
    const go = event.target.closest('.step-form .step-go');
    if (go) {
      event.preventDefault();
      const {confirm} = parts(go.form);
      if (!confirm) return;
      go.hidden = true;
      confirm.hidden = false;
      confirm.querySelector('.step-yes').focus();
      return;
    }
    const back = event.target.closest('.step-form .step-back');
    if (back) {
      const {go: button, confirm} = parts(back.form);
      confirm.hidden = true;
      button.hidden = false;
      button.focus();
    }
  });
})();
