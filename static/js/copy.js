// A "Copy" button copies the value of the field its data-copy-target names (the calendar
// address) and says so in the nearby status line. No inline scripts (CSP).
(function () {
  for (const button of document.querySelectorAll("[data-copy-target]")) {
    button.addEventListener("click", async function () {
      const field = document.getElementById(button.dataset.copyTarget);
      const status = document.querySelector("[data-copy-status]");
      field.select();
      try {
        await navigator.clipboard.writeText(field.value);
      } catch (error) {
        document.execCommand("copy");
      }
      if (status) {
        status.textContent = button.dataset.copiedText;
      }
    });
  }
})();
