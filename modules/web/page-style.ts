/*
 * The page's own stylesheet, served as /app.css (bytes made once: static-asset.ts). Every page
 * links it, so the page looks finished with no internet (a phone on the device's access point
 * has none, nor has a captive-portal browser).
 *
 * Two layers:
 * - Layout rules on the page's own iot-* classes, and wrapping, apply always, Bootstrap loaded
 *   or not: the header with its title clamped to two lines and the device's state, the views'
 *   navigation, the grid of the overview, long values that wrap instead of widening the page,
 *   the log. Bootstrap defines none of these names, so nothing fights.
 * - The look of Bootstrap's own class names (card, table, form-control, btn, alert, ...) is
 *   scoped to html:not(.bs): when the browser manages to load Bootstrap, the script adds class
 *   "bs" and Bootstrap alone styles the same markup.
 * Colours keep a contrast of at least 4.5:1 for text (axe checks it in the browser tests).
 */

import { staticAsset } from "../http/static-asset";

const STYLE = `*,::before,::after{box-sizing:border-box}
body{margin:0}
.iot-header{background:#1d2735;color:#fff}
.iot-bar{display:flex;align-items:center;gap:.75rem;padding-top:.6rem;padding-bottom:.4rem}
.iot-title{flex:1 1 auto;min-width:0;margin:0;font-size:1.3rem;line-height:1.3;font-weight:600;overflow-wrap:anywhere;word-break:break-word;display:-webkit-box;-webkit-line-clamp:2;-webkit-box-orient:vertical;overflow:hidden}
.iot-state{flex:0 0 auto;display:inline-flex;align-items:center;gap:.4rem;padding:.2rem .65rem;border-radius:1rem;font-size:.85rem;font-weight:600;background:#d1e7dd;color:#0a3622;white-space:nowrap}
.iot-state::before{content:"";width:.55rem;height:.55rem;border-radius:50%;background:currentColor}
.iot-state[data-state=reconnecting]{background:#fff3cd;color:#523e02}
.iot-state[data-state=unreachable]{background:#f8d7da;color:#58151c}
.iot-nav{display:flex;flex-wrap:wrap;gap:.25rem;padding:.2rem 0 .5rem;margin:0;list-style:none}
.iot-header .iot-nav a{display:block;padding:.45rem .8rem;border-radius:.4rem;color:#e9edf2;text-decoration:none;font-weight:500}
.iot-header .iot-nav a:hover,.iot-header .iot-nav a:focus{background:#2f3d50;color:#fff}
.iot-header .iot-nav a[aria-current=page]{background:#fff;color:#1d2735}
.iot-main{padding-top:1rem;padding-bottom:2rem}
.iot-grid{display:grid;gap:0 1rem;grid-template-columns:minmax(0,1fr)}
@media (min-width:900px){.iot-grid{grid-template-columns:minmax(0,2fr) minmax(0,3fr)}}
.iot-table{table-layout:fixed;width:100%}
.iot-table th,.iot-table td,.iot-wrap{overflow-wrap:anywhere;word-break:break-word}
.iot-table th{width:42%}
@media (min-width:576px){.iot-table th{width:35%}}
.iot-actions{display:flex;flex-wrap:wrap;align-items:center;gap:.5rem}
.iot-actions .btn{margin:0}
.iot-answer{margin-top:.75rem;margin-bottom:0;overflow-wrap:anywhere}
.iot-log{max-height:65vh;overflow-y:auto;margin:0;padding:.5rem;background:#111827;color:#e5e7eb;border-radius:.4rem;font:12.5px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;white-space:pre-wrap;overflow-wrap:anywhere;word-break:break-word}
.iot-log .warn{color:#fcd34d}
.iot-log .error{color:#fca5a5}
.iot-log .debug{color:#9ca3af}
.iot-footer{color:#59626d;font-size:.85rem;padding-bottom:1.5rem;overflow-wrap:anywhere;word-break:break-word}
.form-control-color{max-width:5rem}
input,select,textarea{max-width:100%}
[hidden]{display:none!important}
html:not(.bs){font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#212529;background:#f3f4f6}
html:not(.bs) .container{max-width:60rem;margin:0 auto;padding-left:1rem;padding-right:1rem}
html:not(.bs) h2{font-size:1.15rem;margin:0 0 .75rem}
html:not(.bs) .h6{font-size:1rem;font-weight:600;margin:0 0 .4rem}
html:not(.bs) .mb-3{margin-bottom:1rem}
html:not(.bs) .mb-2{margin-bottom:.5rem}
html:not(.bs) .mt-2{margin-top:.5rem}
html:not(.bs) .mt-3{margin-top:1.25rem}
html:not(.bs) .card{background:#fff;border:1px solid #dee2e6;border-radius:.5rem;margin-bottom:1rem}
html:not(.bs) .card-body{padding:1rem}
html:not(.bs) .table{border-collapse:collapse;margin:0}
html:not(.bs) .table th,html:not(.bs) .table td{text-align:left;vertical-align:top;padding:.35rem .5rem;border-top:1px solid #dee2e6}
html:not(.bs) .table tr:first-child th,html:not(.bs) .table tr:first-child td{border-top:0}
html:not(.bs) .table th{font-weight:600}
html:not(.bs) fieldset{border:0;padding:0;margin:0 0 1rem;min-width:0}
html:not(.bs) legend{font-weight:600;font-size:1rem;margin-bottom:.2rem;padding:0}
html:not(.bs) .form-label{display:block;margin:0 0 .25rem;font-weight:500}
html:not(.bs) .form-control,html:not(.bs) .form-select{display:block;width:100%;padding:.45rem .6rem;font:inherit;color:inherit;border:1px solid #adb5bd;border-radius:.35rem;background:#fff}
html:not(.bs) textarea.form-control{min-height:4rem}
html:not(.bs) .form-control:focus,html:not(.bs) .form-select:focus,html:not(.bs) .btn:focus{outline:2px solid #86b7fe;outline-offset:1px}
html:not(.bs) .form-control.is-invalid,html:not(.bs) .form-select.is-invalid{border-color:#b02a37;box-shadow:0 0 0 1px #b02a37}
html:not(.bs) .form-control-color{width:4rem;height:2.6rem;padding:.2rem;cursor:pointer}
html:not(.bs) .form-check{display:flex;align-items:flex-start;gap:.45rem;margin:.5rem 0}
html:not(.bs) .form-check-input{width:1.1rem;height:1.1rem;margin:.15rem 0 0;flex:0 0 auto}
html:not(.bs) .form-text{display:block;font-size:.85rem;color:#59626d;margin-top:.2rem}
html:not(.bs) .btn{display:inline-block;padding:.5rem 1rem;font:inherit;font-weight:500;line-height:1.3;border:1px solid transparent;border-radius:.35rem;cursor:pointer;margin:.75rem .25rem 0 0;text-decoration:none}
html:not(.bs) .btn:disabled{opacity:.6;cursor:default}
html:not(.bs) .btn-primary{background:#0d6efd;border-color:#0d6efd;color:#fff}
html:not(.bs) .btn-danger{background:#b02a37;border-color:#b02a37;color:#fff}
html:not(.bs) .btn-outline-danger{background:#fff;color:#b02a37;border-color:#b02a37}
html:not(.bs) .btn-outline-secondary{background:#fff;color:#495057;border-color:#6c757d}
html:not(.bs) .alert{padding:.7rem 1rem;border-radius:.4rem;margin-bottom:1rem;border:1px solid}
html:not(.bs) .alert-success{background:#d1e7dd;border-color:#a3cfbb;color:#0a3622}
html:not(.bs) .alert-danger{background:#f8d7da;border-color:#f1aeb5;color:#58151c}
html:not(.bs) .alert-warning{background:#fff3cd;border-color:#ffe69c;color:#523e02}
html:not(.bs) .alert-info{background:#cff4fc;border-color:#9eeaf9;color:#055160}
html:not(.bs) .progress{height:1.1rem;margin-top:.75rem;background:#e9ecef;border-radius:.35rem;overflow:hidden}
html:not(.bs) .progress-bar{height:100%;background:#0d6efd;color:#fff;font-size:.75rem;line-height:1.1rem;text-align:center}
html:not(.bs) .text-muted{color:#59626d}
html:not(.bs) .small{font-size:.875rem}
html:not(.bs) .mb-0{margin-bottom:0}
html:not(.bs) .list-unstyled{list-style:none;padding-left:0}
html:not(.bs) details{margin:.75rem 0}
html:not(.bs) summary{cursor:pointer;color:#0a58ca}
html:not(.bs) a{color:#0a58ca}
html:not(.bs) .alert-link{color:inherit;font-weight:700}
html:not(.bs) .visually-hidden{position:absolute;width:1px;height:1px;padding:0;margin:-1px;overflow:hidden;clip:rect(0,0,0,0);white-space:nowrap;border:0}
`;

export const PAGE_STYLE = staticAsset(STYLE, "text/css; charset=utf-8");
