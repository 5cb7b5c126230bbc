//! The caption's HTML. One HTML block with no blank line inside, so Markdown
//! keeps it whole; classes are styled by `theme/listings.css`.

use crate::Listing;

/// The caption for listing `number` ("2.1").
///
/// ```text
/// Listing 2.1 · tests/api/first_test.rs
/// A sign-up stores the user and asks the email service for exactly one welcome email.
/// Run it: cargo test -p user-service --test api -- --exact first_test::creating_a_user…
/// ```
pub fn render(number: &str, listing: &Listing) -> String {
    let id = format!("listing-{}", number.replace('.', "-"));
    let class = match (&listing.broken, &listing.exercise) {
        (Some(_), _) => " broken",
        (None, Some(_)) => " exercise",
        (None, None) => "",
    };
    let mut html =
        format!("<div class=\"listing-caption{class}\" id=\"{id}\">\n");
    html.push_str(&format!(
        "<div class=\"listing-title\"><a class=\"listing-number\" href=\"#{id}\">Listing {number}</a> · <code class=\"listing-file\">{}</code>{}</div>\n",
        escape(&listing.path_in_crate),
        match (&listing.broken, &listing.exercise) {
            (Some(_), _) => " <span class=\"listing-mark\">⚠ fails on purpose</span>",
            (None, Some(_)) => " <span class=\"listing-mark\">✎ exercise starter</span>",
            (None, None) => "",
        }
    ));
    if let Some(proves) = &listing.proves {
        html.push_str(&format!(
            "<div class=\"listing-proves\">{}</div>\n",
            inline_markdown(proves)
        ));
    }
    if let Some(exercise) = &listing.exercise {
        html.push_str(&format!(
            "<div class=\"listing-expect\">Your task: {}</div>\n",
            inline_markdown(&exercise.task)
        ));
    }
    if let Some(broken) = &listing.broken {
        html.push_str(&format!(
            "<div class=\"listing-expect\">Expected failure: {}</div>\n",
            inline_markdown(&broken.reason)
        ));
        if let Some(show) = &broken.show_failure {
            html.push_str(&format!("<div class=\"listing-run\">See it fail: <code>{}</code></div>\n", escape(show)));
        }
        html.push_str(&format!(
            "<div class=\"listing-run\">Prove it fails for that reason: <code>{}</code></div>\n",
            escape(&listing.command)
        ));
    } else {
        html.push_str(&format!(
            "<div class=\"listing-run\">{}: <code>{}</code></div>\n",
            listing.run_label,
            escape(&listing.command)
        ));
    }
    html.push_str("</div>\n");
    html
}

/// Renders one line of Markdown (backticks, emphasis) to inline HTML.
fn inline_markdown(text: &str) -> String {
    let mut html = String::new();
    pulldown_cmark::html::push_html(
        &mut html,
        pulldown_cmark::Parser::new(text),
    );
    let html = html.trim();
    html.strip_prefix("<p>")
        .and_then(|h| h.strip_suffix("</p>"))
        .unwrap_or(html)
        .to_string()
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
