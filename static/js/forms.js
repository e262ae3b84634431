// Review #7 item 23: the server validates every form and crispy-forms shows its errors beside
// the fields, in the portal's words and language. The browser's own pop-up (a required radio
// button, say) would stop the form before that, so forms do not validate in the browser.
// The `required` attributes stay: they still tell assistive technology what is required.
(function () {
  for (const form of document.querySelectorAll("form")) {
    form.noValidate = true;
  }
})();
