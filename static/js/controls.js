// Chinese-labelled controls (templates/_controls.html) and auto-submitting filters, without inline handlers.
document.addEventListener("change", function (event) {
  var el = event.target;
  if (el.classList && el.classList.contains("zh-file-input")) {
    var name = el.parentNode.querySelector(".zh-file-name");
    if (name) name.textContent = el.files && el.files.length ? el.files[0].name : name.getAttribute("data-empty");
  }
  if (el.hasAttribute && el.hasAttribute("data-autosubmit") && el.form) {
    el.form.submit();
  }
});
