// The triage workbench from the keyboard. Without this script the page is one form of notes
// saved together; with it each note saves on its own through one small request, the list never
// reloads, and the shortcuts listed on the page work on the highlighted note. A failed save keeps
// the choice on the page and says so.
(function () {
  "use strict";

  var form = document.getElementById("wb-form");
  if (!form || !window.fetch || !window.FormData) {
    return;
  }
  var root = document.querySelector(".wb");
  var bulkForm = document.getElementById("wb-bulk");
  var statusLine = document.getElementById("wb-status");
  var themes = JSON.parse(document.getElementById("wb-themes").textContent);
  var csrfToken = form.querySelector("[name=csrfmiddlewaretoken]").value;
  var notes = Array.prototype.slice.call(form.querySelectorAll(".wb-note"));
  var current = null;
  var saved = []; // ids of notes saved here, the latest last: what "u" takes back
  var listCount = 0;

  root.classList.add("wb-js");
  document.getElementById("wb-shortcuts").hidden = false;

  function announce(message, isError) {
    statusLine.textContent = message;
    statusLine.classList.toggle("wb-status-error", !!isError);
  }

  function idOf(note) {
    return note.getAttribute("data-note");
  }

  function field(note, name) {
    return note.querySelector("[name='n" + idOf(note) + "-" + name + "']");
  }

  function areaRadios(note) {
    return Array.prototype.slice.call(note.querySelectorAll(".wb-areas input[type=radio]"));
  }

  function hideRadios(note) {
    return Array.prototype.slice.call(note.querySelectorAll(".wb-hide input[type=radio]"));
  }

  function chosenArea(note) {
    var checked = note.querySelector(".wb-areas input:checked");
    return checked ? checked.value : "";
  }

  function themeById(id) {
    for (var i = 0; i < themes.length; i++) {
      if (String(themes[i].id) === String(id)) {
        return themes[i];
      }
    }
    return null;
  }

  function areaName(value) {
    var radio = form.querySelector(".wb-areas input[value='" + value + "'] + label");
    return radio ? radio.textContent.replace(/^\d/, "") : "";
  }

  function isTyping(element) {
    if (!element || !element.tagName) {
      return false;
    }
    var tag = element.tagName.toLowerCase();
    if (tag === "textarea" || tag === "select" || element.isContentEditable) {
      return true;
    }
    return tag === "input" && !/^(radio|checkbox|button|submit|reset|hidden)$/.test(element.type);
  }

  // Moving between notes

  function makeCurrent(note, focus) {
    if (current) {
      current.classList.remove("wb-current");
    }
    current = note;
    if (!note) {
      return;
    }
    note.classList.add("wb-current");
    if (focus) {
      note.focus({ preventScroll: true });
      note.scrollIntoView({ block: "center" });
    }
  }

  function move(step) {
    var index = notes.indexOf(current) + step;
    if (index >= 0 && index < notes.length) {
      makeCurrent(notes[index], true);
    }
  }

  function nextToDo(from) {
    var start = notes.indexOf(from);
    for (var i = 1; i <= notes.length; i++) {
      var note = notes[(start + i) % notes.length];
      if (!note.classList.contains("wb-done") && !note.classList.contains("wb-saving")) {
        return note;
      }
    }
    return null;
  }

  // Area, theme and hiding

  function setArea(note, value) {
    areaRadios(note).forEach(function (radio) {
      radio.checked = radio.value === value;
    });
    var select = field(note, "theme");
    var theme = themeById(select.value);
    if (theme && theme.area && String(theme.area) !== value) {
      select.value = "";
      field(note, "new_theme").value = "";
      announce("Area: " + areaName(value) + ". Its theme was in another area, so it was taken off.");
    } else {
      announce("Area: " + areaName(value) + ".");
    }
  }

  function chooseTheme(note, theme) {
    var select = field(note, "theme");
    var input = field(note, "new_theme");
    if (theme) {
      select.value = String(theme.id);
      input.value = theme.name;
      if (theme.area) {
        areaRadios(note).forEach(function (radio) {
          radio.checked = radio.value === String(theme.area);
        });
      }
      announce("Theme: " + theme.name + (theme.area ? ", in " + areaName(String(theme.area)) : "") + ".");
    } else if (input.value.trim()) {
      select.value = "";
      announce(
        "New theme: " + input.value.trim() + "." + (chosenArea(note) ? "" : " Choose its area with 1 to 4.")
      );
    } else {
      select.value = "";
      announce("No theme.");
    }
  }

  function addTheme(theme) {
    if (themeById(theme.id)) {
      return;
    }
    themes.push(theme);
    var selects = Array.prototype.slice.call(form.querySelectorAll("select[name$='-theme']"));
    if (bulkForm) {
      selects.push(bulkForm.querySelector("[name='bulk-theme']"));
    }
    selects.forEach(function (select) {
      var option = document.createElement("option");
      option.value = theme.id;
      option.textContent = theme.name;
      option.setAttribute("data-area", theme.area || "");
      select.appendChild(option);
    });
  }

  function setHidden(note, reason) {
    hideRadios(note).forEach(function (radio) {
      radio.checked = radio.value === reason;
    });
    note.querySelector(".wb-hide").classList.toggle("wb-open", reason !== "");
  }

  function toggleHide(note) {
    var fieldset = note.querySelector(".wb-hide");
    var radios = hideRadios(note);
    if (fieldset.classList.contains("wb-open")) {
      setHidden(note, "");
      announce("Shown to the public.");
      note.focus();
      return;
    }
    setHidden(note, radios[1].value);
    radios[1].focus();
    announce("Hidden from the public: " + radios[1].nextElementSibling.textContent.replace(/^Hide: /, "") + ". Arrow keys change the reason.");
  }

  // The theme picker: type to filter the workshop's themes of the note's area; Enter chooses
  // the highlighted one, or makes a new theme of what was typed.

  function setUpPicker(note) {
    var select = field(note, "theme");
    var input = field(note, "new_theme");
    var label = note.querySelector("label[for='" + input.id + "']");
    var list = document.createElement("ul");
    var active = 0;
    var options = [];
    listCount += 1;
    list.id = "wb-themes-list-" + listCount;
    list.className = "wb-themes-list";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", "Themes");
    list.hidden = true;
    input.parentNode.appendChild(list);
    select.hidden = true;
    note.querySelector("label[for='" + select.id + "']").hidden = true;
    label.textContent = "Theme";
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", list.id);
    var theme = themeById(select.value);
    if (theme) {
      input.value = theme.name;
    }

    function render() {
      var text = input.value.trim().toLowerCase();
      var area = chosenArea(note);
      options = themes.filter(function (theme) {
        var inArea = !area || !theme.area || String(theme.area) === area;
        return inArea && theme.name.toLowerCase().indexOf(text) !== -1;
      });
      var exact = options.some(function (theme) {
        return theme.name.toLowerCase() === text;
      });
      if (text && !exact) {
        options.push({ id: null, name: input.value.trim() });
      }
      active = Math.min(active, Math.max(options.length - 1, 0));
      list.innerHTML = "";
      options.forEach(function (theme, index) {
        var item = document.createElement("li");
        item.id = list.id + "-" + index;
        item.setAttribute("role", "option");
        item.setAttribute("aria-selected", index === active ? "true" : "false");
        item.textContent = theme.id === null ? "New theme “" + theme.name + "”" : theme.name;
        item.addEventListener("mousedown", function (event) {
          event.preventDefault();
          active = index;
          choose();
        });
        list.appendChild(item);
      });
      list.hidden = options.length === 0;
      input.setAttribute("aria-expanded", list.hidden ? "false" : "true");
      if (options.length) {
        input.setAttribute("aria-activedescendant", list.id + "-" + active);
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    }

    function choose() {
      var option = options[active];
      if (option && option.id !== null) {
        chooseTheme(note, option);
      } else {
        chooseTheme(note, null);
      }
      close();
      makeCurrent(note, true);
    }

    input.addEventListener("focus", function () {
      makeCurrent(note, false);
      active = 0;
      render();
    });
    input.addEventListener("input", function () {
      select.value = "";
      active = 0;
      render();
    });
    input.addEventListener("blur", close);
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        if (list.hidden) {
          render();
        }
        var step = event.key === "ArrowDown" ? 1 : -1;
        active = Math.max(0, Math.min(options.length - 1, active + step));
        render();
      } else if (event.key === "Enter") {
        event.preventDefault();
        choose();
      } else if (event.key === "Escape") {
        event.preventDefault();
        close();
        makeCurrent(note, true);
      }
    });
  }

  // Saving, undoing

  function showValues(note, values) {
    areaRadios(note).forEach(function (radio) {
      radio.checked = radio.value === String(values.area);
    });
    var theme = themeById(values.theme);
    field(note, "theme").value = theme ? String(theme.id) : "";
    field(note, "new_theme").value = theme ? theme.name : "";
    setHidden(note, values.hidden_reason);
  }

  function noteStatus(note, message, isError) {
    var line = note.querySelector(".wb-note-status");
    line.textContent = message;
    line.classList.toggle("wb-status-error", !!isError);
    note.classList.toggle("wb-note-error", !!isError);
  }

  function post(data) {
    data.append("csrfmiddlewaretoken", csrfToken);
    return fetch(form.action, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRFToken": csrfToken },
    }).then(function (response) {
      return response.json().catch(function () {
        return { ok: false, error: "The server answered " + response.status };
      });
    });
  }

  function title(note) {
    return note.querySelector(".wb-title").firstChild.textContent;
  }

  function save(note) {
    var id = idOf(note);
    var prefix = "n" + id + "-";
    var data = new FormData();
    data.append("action", "one");
    data.append("note", id);
    Array.prototype.forEach.call(note.querySelectorAll("input, select"), function (element) {
      if (element.name.indexOf(prefix) !== 0) {
        return;
      }
      if ((element.type === "radio" || element.type === "checkbox") && !element.checked) {
        return;
      }
      data.append(element.name, element.value);
    });
    if (field(note, "theme").value) {
      data.set(prefix + "new_theme", "");
    }
    note.classList.add("wb-saving");
    var next = nextToDo(note);
    if (next && next !== note) {
      makeCurrent(next, true);
    }
    post(data)
      .then(function (body) {
        note.classList.remove("wb-saving");
        if (!body.ok) {
          throw new Error(body.error);
        }
        if (body.new_theme) {
          addTheme(body.new_theme);
        }
        if (body.recurring) {
          offerRecurring(body.recurring);
        }
        showValues(note, body.note);
        note.classList.add("wb-done");
        note.querySelector(".wb-done-flag").hidden = false;
        noteStatus(note, body.message, false);
        saved.push(id);
        announce(body.message + (nextToDo(note) ? "" : " Every note on this page is saved."));
      })
      .catch(function (error) {
        note.classList.remove("wb-saving");
        var reason = error && error.message && error.message !== "Failed to fetch" ? error.message : "the connection failed";
        noteStatus(note, "Not saved: " + reason + ". Your choice is kept: press Enter on the note to try again.", true);
        announce(title(note) + " was not saved: " + reason + ".", true);
      });
  }

  function undo() {
    var id = saved.pop();
    if (!id) {
      announce("There is no save to undo.", true);
      return;
    }
    var note = document.getElementById("note-" + id);
    var data = new FormData();
    data.append("action", "undo");
    data.append("note", id);
    post(data)
      .then(function (body) {
        if (!body.ok) {
          throw new Error(body.error);
        }
        showValues(note, body.note);
        note.classList.remove("wb-done");
        note.querySelector(".wb-done-flag").hidden = true;
        noteStatus(note, body.message, false);
        makeCurrent(note, true);
        announce(body.message);
      })
      .catch(function (error) {
        saved.push(id);
        announce("Could not undo: " + (error.message || "the connection failed") + ".", true);
      });
  }

  // A new theme may be one more time something was said at other workshops: one click links
  // it to a recurring theme (the form also works as a plain post, back to this page).

  var recurringBox = document.getElementById("wb-recurring");

  function element(tag, attributes, text) {
    var made = document.createElement(tag);
    Object.keys(attributes).forEach(function (name) {
      made.setAttribute(name, attributes[name]);
    });
    if (text) {
      made.textContent = text;
    }
    return made;
  }

  function offerRecurring(offer) {
    recurringBox.textContent = "";
    recurringBox.appendChild(
      element("h2", { id: "wb-recurring-title" }, "Was “" + offer.theme + "” said at other workshops too?")
    );
    var linkForm = element("form", { method: "post", action: offer.url });
    linkForm.appendChild(element("input", { type: "hidden", name: "csrfmiddlewaretoken", value: csrfToken }));
    linkForm.appendChild(element("input", { type: "hidden", name: "next", value: window.location.pathname + window.location.search }));
    var list = element("ul", { class: "wb-recurring-choices" });
    offer.choices.forEach(function (choice) {
      var item = element("li", {});
      item.appendChild(
        element("button", { type: "submit", class: "button", name: "choice", value: String(choice.id) }, "Link to “" + choice.name + "”")
      );
      item.appendChild(
        document.createTextNode(" raised at " + choice.workshops + (choice.workshops === 1 ? " workshop" : " workshops"))
      );
      list.appendChild(item);
    });
    var none = element("li", {});
    none.appendChild(element("button", { type: "submit", class: "button", name: "choice", value: "none" }, "None of these"));
    list.appendChild(none);
    linkForm.appendChild(list);
    linkForm.addEventListener("submit", function (event) {
      event.preventDefault();
      var data = new FormData(linkForm);
      if (event.submitter) {
        data.append("choice", event.submitter.value);
      }
      fetch(offer.url, {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: { Accept: "application/json", "X-CSRFToken": csrfToken },
      })
        .then(function (response) {
          return response.json();
        })
        .then(function (body) {
          if (!body.ok) {
            throw new Error(body.error);
          }
          recurringBox.hidden = true;
          recurringBox.textContent = "";
          announce(body.message);
        })
        .catch(function (error) {
          announce("Not linked: " + (error.message || "the connection failed") + ".", true);
        });
    });
    recurringBox.appendChild(linkForm);
    recurringBox.hidden = false;
  }

  // Several notes at once

  if (bulkForm) {
    bulkForm.addEventListener("submit", function (event) {
      event.preventDefault();
      var data = new FormData(bulkForm);
      data.delete("csrfmiddlewaretoken");
      post(data)
        .then(function (body) {
          if (!body.ok) {
            throw new Error(body.error);
          }
          if (body.new_theme) {
            addTheme(body.new_theme);
          }
          body.notes.forEach(function (values) {
            var note = document.getElementById("note-" + values.id);
            if (note) {
              showValues(note, values);
              note.classList.add("wb-done");
              note.querySelector(".wb-done-flag").hidden = false;
            }
          });
          Array.prototype.forEach.call(form.querySelectorAll("input[name=selected]"), function (box) {
            box.checked = false;
          });
          announce(body.message);
        })
        .catch(function (error) {
          announce("Not saved: " + (error.message || "the connection failed") + ".", true);
        });
    });
  }

  // Repeats: a group of notes that say much the same goes into one theme in one request

  Array.prototype.forEach.call(document.querySelectorAll(".wb-repeat"), function (repeatForm) {
    repeatForm.addEventListener("submit", function (event) {
      event.preventDefault();
      var data = new FormData(repeatForm);
      data.delete("csrfmiddlewaretoken");
      var status = repeatForm.querySelector(".wb-repeat-status");
      post(data)
        .then(function (body) {
          if (!body.ok) {
            throw new Error(body.error);
          }
          if (body.new_theme) {
            addTheme(body.new_theme);
          }
          body.notes.forEach(function (values) {
            var note = document.getElementById("note-" + values.id);
            if (note) {
              showValues(note, values);
              note.classList.add("wb-done");
              note.querySelector(".wb-done-flag").hidden = false;
            }
          });
          repeatForm.querySelector(".wb-bulk-fields").hidden = true;
          status.textContent = body.message;
          status.classList.remove("wb-status-error");
          announce(body.message);
        })
        .catch(function (error) {
          var message = "Not saved: " + (error.message || "the connection failed") + ".";
          status.textContent = message;
          status.classList.add("wb-status-error");
          announce(message, true);
        });
    });
  });

  // The shortcuts

  notes.forEach(function (note) {
    setUpPicker(note);
    var hidden = note.querySelector(".wb-hide input:checked");
    note.querySelector(".wb-hide").classList.toggle("wb-open", !!(hidden && hidden.value));
    areaRadios(note).forEach(function (radio) {
      radio.addEventListener("change", function () {
        setArea(note, radio.value);
      });
    });
    note.addEventListener("focusin", function () {
      if (current !== note) {
        makeCurrent(note, false);
      }
    });
  });

  form.addEventListener("submit", function (event) {
    // Enter in a field saves the one note; only the page's own button sends the whole form.
    if (!event.submitter) {
      event.preventDefault();
    }
  });

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) {
      return;
    }
    var target = event.target;
    if (isTyping(target)) {
      if (event.key === "Escape" && current) {
        makeCurrent(current, true);
      }
      return;
    }
    if (!current) {
      return;
    }
    var inNotes = target === document.body || form.contains(target);
    var key = event.key;
    if (key === "Enter") {
      // Links and buttons keep their own Enter.
      if (!inNotes || /^(a|button)$/i.test(target.tagName) || target.type === "submit") {
        return;
      }
      event.preventDefault();
      save(current);
      return;
    }
    if (/^[1-9]$/.test(key)) {
      var radio = areaRadios(current)[Number(key) - 1];
      if (radio) {
        event.preventDefault();
        setArea(current, radio.value);
      }
    } else if (key === "t") {
      event.preventDefault();
      field(current, "new_theme").focus();
      field(current, "new_theme").select();
    } else if (key === "h") {
      event.preventDefault();
      toggleHide(current);
    } else if (key === "j") {
      event.preventDefault();
      move(1);
    } else if (key === "k") {
      event.preventDefault();
      move(-1);
    } else if (key === "u") {
      event.preventDefault();
      undo();
    } else if (key === "x") {
      event.preventDefault();
      var box = current.querySelector("input[name=selected]");
      box.checked = !box.checked;
      announce(title(current) + (box.checked ? " selected." : " not selected."));
    }
  });

  makeCurrent(nextToDo(notes[notes.length - 1]) || notes[0], false);
})();
