// Training pages: print buttons (no inline handlers: the CSP forbids them).
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-print]");
  if (button) {
    window.print();
  }
});

// Township pickers (安排培训, 签到表): the options are grouped by county on the server (<optgroup>);
// once a county is chosen only its group is offered. The server still checks the pair.
function filterTownships(select) {
  var county = document.getElementById(select.dataset.countySelect);
  if (!county) {
    return;
  }
  select.querySelectorAll("optgroup").forEach(function (group) {
    var show = !county.value || group.dataset.county === county.value;
    group.hidden = !show;
    group.disabled = !show;
  });
  var chosen = select.selectedOptions[0];
  if (chosen && chosen.parentElement.disabled) {
    select.value = "";
  }
}

function townshipPickers() {
  return document.querySelectorAll("select[data-county-select]");
}

document.addEventListener("change", function (event) {
  townshipPickers().forEach(function (select) {
    if (event.target.id === select.dataset.countySelect) {
      filterTownships(select);
    }
  });
});

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", function () { townshipPickers().forEach(filterTownships); });
} else {
  townshipPickers().forEach(filterTownships);
}
