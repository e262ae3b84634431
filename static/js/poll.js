// Reload pages that show work in progress (e.g. a large PDF being rendered) until it is done.
(function () {
  const marker = document.querySelector("[data-poll-seconds]");
  if (marker) {
    const seconds = Number(marker.dataset.pollSeconds) || 2;
    window.setTimeout(() => window.location.reload(), seconds * 1000);
  }
})();
