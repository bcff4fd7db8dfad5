//! Redirect stubs: the small pages that send an alias, a moved PID or a
//! retired version address on to a page, carrying the query string and
//! fragment along, and the rule a host that can redirect for real uses.

use serde_json::Value;

use super::context::RedirectContext;
use super::meta::script_safe;
use super::{Renderer, Summary};
use crate::error::Result;
use crate::model::site_path::SitePath;
use crate::output::{Output, Redirect};

impl Renderer<'_> {
    /// A redirect stub, counted and listed in the summary.
    pub(super) fn stub(
        &self,
        summary: &mut Summary,
        from: &str,
        path: SitePath,
        target: &SitePath,
    ) -> Result<Output> {
        summary.stubs += 1;
        summary.redirects.push(Redirect {
            from: self.config.path(path.as_str()),
            to: self.config.path(target.as_str()),
            status: 301,
        });
        self.redirect(from, path, target)
    }

    /// A redirect stub at `path` sending visitors to `target`, carrying the
    /// query string and fragment along.
    pub fn redirect(&self, from: &str, path: SitePath, target: &SitePath) -> Result<Output> {
        let target_path = self.config.path(target.as_str());
        let ctx = RedirectContext {
            site: &self.site,
            target_js: script_safe(&Value::String(target_path.clone())),
            target_url: self.config.url(target.as_str()),
            target: target_path,
            from: from.to_string(),
        };
        Ok(Output::new(path, self.render("redirect.html", &ctx)?))
    }
}
