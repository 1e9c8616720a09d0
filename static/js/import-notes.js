// While a file's rows are imported, say so: the page waits for the server's answer.
document.addEventListener("submit", (event) => {
  const button = event.submitter;
  const status = document.getElementById("import-progress");
  if (!button || button.name !== "import" || !status) return;
  status.textContent = status.dataset.importing;
  // Disabled after this event, so the button's name still goes with the form.
  setTimeout(() => { button.disabled = true; }, 0);
});
