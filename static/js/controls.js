// Chinese-labelled controls (templates/_controls.html) and auto-submitting filters, without inline handlers.
document.addEventListener("change", function (event) {
  var el = event.target;
  if (el.classList && el.classList.contains("zh-file-input")) {
    var name = el.parentNode.querySelector(".zh-file-name");
    var count = el.files ? el.files.length : 0;
    if (name) name.textContent = count > 1 ? el.files[0].name + " 等" + count + "个文件" : (count ? el.files[0].name : name.getAttribute("data-empty"));
  }
  if (el.hasAttribute && el.hasAttribute("data-autosubmit") && el.form) {
    el.form.submit();
  }
});
