// Warns before a signed-in session ends and lets the person stay signed in (WCAG 2.2.1).
(function () {
  "use strict";

  var dialog = document.querySelector("[data-session-timeout]");
  if (!dialog || typeof dialog.showModal !== "function" || !window.fetch) {
    return;
  }
  var form = dialog.querySelector("form");
  var countdown = dialog.querySelector("[data-session-countdown]");
  var warningSeconds = Number(dialog.getAttribute("data-warning-seconds"));
  var endsAt = Date.now() + Number(dialog.getAttribute("data-seconds-left")) * 1000;
  var returnFocusTo = null;
  var timer = null;

  function secondsLeft() {
    return Math.max(0, Math.round((endsAt - Date.now()) / 1000));
  }

  // The words come from the page, in its language: "1 minute", "{count} seconds".
  function text(name, count) {
    return dialog.getAttribute("data-text-" + name).replace(/\{\w+\}/, count);
  }

  function describe(seconds) {
    if (seconds > 90) {
      return text("minutes", Math.round(seconds / 60));
    }
    if (seconds > 60) {
      return text("minute");
    }
    return seconds === 1 ? text("second") : text("seconds", seconds);
  }

  function showEnded() {
    dialog.querySelector("[data-session-warning]").hidden = true;
    var ended = dialog.querySelector("[data-session-ended]");
    ended.hidden = false;
    dialog.setAttribute("aria-labelledby", "session-ended-heading");
    dialog.setAttribute("aria-describedby", "session-ended-message");
    if (!dialog.open) {
      dialog.showModal();
    }
    ended.querySelector("a").focus();
  }

  function tick() {
    var seconds = secondsLeft();
    if (seconds <= 0) {
      showEnded();
      return;
    }
    if (seconds <= warningSeconds) {
      countdown.textContent = describe(seconds);
      if (!dialog.open) {
        returnFocusTo = document.activeElement;
        dialog.showModal();
        form.querySelector("button").focus();
      }
    }
    var untilWarning = (seconds - warningSeconds) * 1000;
    timer = window.setTimeout(tick, untilWarning > 0 ? untilWarning : 1000);
  }

  function staySignedIn(event) {
    if (event) {
      event.preventDefault();
    }
    window.clearTimeout(timer);
    window
      .fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        credentials: "same-origin",
        headers: { Accept: "application/json" }
      })
      .then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (!response.ok || type.indexOf("application/json") !== 0) {
          throw new Error("signed out");
        }
        return response.json();
      })
      .then(function (answer) {
        endsAt = Date.now() + answer.expires_in * 1000;
        dialog.close();
        if (returnFocusTo && returnFocusTo.focus) {
          returnFocusTo.focus();
        }
        tick();
      })
      .catch(showEnded);
  }

  form.addEventListener("submit", staySignedIn);
  // Escape means "I am still here", so it extends the session rather than dismissing the warning.
  dialog.addEventListener("cancel", function (event) {
    event.preventDefault();
    if (!dialog.querySelector("[data-session-ended]").hidden) {
      return;
    }
    staySignedIn();
  });
  tick();
})();
