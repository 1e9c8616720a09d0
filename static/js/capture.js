/*
 * Capture page enhancements, written for old browsers too (no build step, ES5 only):
 * - keeps typed notes on this device until the server confirms them, and offers them back;
 * - stops a submit while offline, so nothing is lost to an error page;
 * - counts down the round, announcing to screen readers each minute and near the end only.
 */
(function () {
  "use strict";

  var capture = document.querySelector("[data-capture]");
  if (capture) {
    keepDrafts(capture);
  }
  var countdown = document.querySelector("[data-round-ends-at]");
  if (countdown) {
    runCountdown(countdown, document.querySelector("[data-countdown-announcer]"));
  }

  function keepDrafts(container) {
    var form = container.querySelector("form");
    var textarea = form.querySelector("textarea[name=notes]");
    var keyInput = form.querySelector("input[name=key]");
    var offer = document.querySelector("[data-draft-offer]");
    var offlineWarning = document.querySelector("[data-offline-warning]");
    var storageKey = "workshop-feedback:notes-draft:" + container.getAttribute("data-group");

    function storage() {
      try {
        return window.localStorage;
      } catch (error) {
        return null;
      }
    }

    function readDraft() {
      try {
        return JSON.parse(storage().getItem(storageKey));
      } catch (error) {
        return null;
      }
    }

    function clearDraft() {
      try {
        storage().removeItem(storageKey);
      } catch (error) {
        /* Nothing was stored. */
      }
    }

    function checkedKind() {
      var checked = form.querySelector("input[name=kind]:checked");
      return checked ? checked.value : "";
    }

    function saveDraft() {
      if (!textarea.value.replace(/\s/g, "")) {
        clearDraft();
        return;
      }
      try {
        storage().setItem(
          storageKey,
          JSON.stringify({ key: keyInput.value, notes: textarea.value, kind: checkedKind() })
        );
      } catch (error) {
        /* Storage full or switched off: the server still gets what is sent. */
      }
    }

    var draft = readDraft();
    var confirmed = document.querySelector("[data-confirmed-key]");
    if (draft && confirmed && draft.key === confirmed.getAttribute("data-confirmed-key")) {
      clearDraft();
      draft = null;
    }

    if (draft && draft.notes && !textarea.value.replace(/\s/g, "")) {
      offer.hidden = false;
      offer.querySelector("[data-draft-restore]").addEventListener("click", function () {
        textarea.value = draft.notes;
        /* The same key again: if the first send did arrive, nothing is stored twice. */
        keyInput.value = draft.key;
        var kind = form.querySelector("input[name=kind][value='" + draft.kind + "']");
        if (kind) {
          kind.checked = true;
        }
        offer.hidden = true;
        textarea.focus();
      });
      offer.querySelector("[data-draft-discard]").addEventListener("click", function () {
        clearDraft();
        offer.hidden = true;
        textarea.focus();
      });
    }

    textarea.addEventListener("input", saveDraft);
    form.addEventListener("change", saveDraft);
    form.addEventListener("submit", function (event) {
      saveDraft();
      if (navigator.onLine === false) {
        event.preventDefault();
        offlineWarning.hidden = false;
        offlineWarning.focus();
      } else {
        offlineWarning.hidden = true;
      }
    });
  }

  function runCountdown(element, announcer) {
    var endsAt = parseInt(element.getAttribute("data-round-ends-at"), 10) * 1000;
    var clockSkew = parseInt(element.getAttribute("data-server-now"), 10) * 1000 - Date.now();
    var lastAnnouncement = "";
    var timer;

    // The words come from the page, in its language: "{count} minutes", "{time} left".
    function text(name, count) {
      return element.getAttribute("data-text-" + name).replace(/\{\w+\}/, count);
    }

    function plural(count, unit) {
      return count === 1 ? text(unit) : text(unit + "s", count);
    }

    function announce(message) {
      if (announcer && message !== lastAnnouncement) {
        announcer.textContent = message;
        lastAnnouncement = message;
      }
    }

    function tick() {
      var secondsLeft = Math.ceil((endsAt - (Date.now() + clockSkew)) / 1000);
      if (secondsLeft <= 0) {
        element.textContent = text("time-up");
        announce(text("time-up"));
        window.clearInterval(timer);
        return;
      }
      var minutes = Math.floor(secondsLeft / 60);
      var seconds = secondsLeft % 60;
      element.textContent = text(
        "left",
        (minutes ? plural(minutes, "minute") + " " : "") + plural(seconds, "second")
      );
      if (seconds === 0) {
        announce(text("left", plural(minutes, "minute")));
      } else if (secondsLeft === 30 || secondsLeft === 10) {
        announce(text("left", plural(secondsLeft, "second")));
      }
    }

    element.hidden = false;
    timer = window.setInterval(tick, 1000);
    tick();
  }
})();
