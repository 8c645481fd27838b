// Tip form: pasting a screenshot (Ctrl+V on desktop) puts it in the image field.
document.addEventListener("paste", function (e) {
  var input = document.getElementById("tip-image");
  var files = e.clipboardData && e.clipboardData.files;
  if (!input || !files || !files.length || files[0].type.indexOf("image/") !== 0) return;
  var dt = new DataTransfer();
  dt.items.add(files[0]);
  input.files = dt.files;
});
