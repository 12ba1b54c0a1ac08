// ISO 37106 questionnaire: refresh the score panels as levels are picked. The page works
// without this script (the "Update the score" button asks the server); this only saves a click.
(function () {
  "use strict";
  var form = document.getElementById("questionnaire");
  if (!form || !window.fetch || !window.URLSearchParams) {
    return;
  }
  var url = form.getAttribute("data-score-url");
  var timer = null;
  var asked = 0;

  function levels() {
    var out = [];
    var checked = form.querySelectorAll('input[type="radio"][name^="level:"]:checked');
    for (var i = 0; i < checked.length; i++) {
      out.push(checked[i].name.slice(6) + ":" + checked[i].value);
    }
    return out.join(",");
  }

  function show(score) {
    var slots = form.querySelectorAll("[data-slot]");
    for (var i = 0; i < slots.length; i++) {
      var key = slots[i].getAttribute("data-slot");
      if (Object.prototype.hasOwnProperty.call(score.texts, key)) {
        slots[i].textContent = score.texts[key];
      }
    }
    var low = {};
    for (var j = 0; j < score.blockers.length; j++) {
      low[score.blockers[j].item] = true;
    }
    var items = form.querySelectorAll("fieldset.item");
    for (var k = 0; k < items.length; k++) {
      items[k].classList.toggle("below-gate", !!low[items[k].id.slice(5)]);
    }
  }

  function update() {
    var mine = ++asked;
    var query = new URLSearchParams({ levels: levels() });
    fetch(url + "?" + query.toString(), {
      headers: { Accept: "application/json" },
      credentials: "same-origin"
    })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (score) {
        if (score && mine === asked) {
          show(score);
        }
      })
      .catch(function () { /* the button still works */ });
  }

  form.addEventListener("change", function (event) {
    var name = event.target && event.target.name;
    if (name && name.indexOf("level:") === 0) {
      window.clearTimeout(timer);
      timer = window.setTimeout(update, 120);
    }
  });
})();
