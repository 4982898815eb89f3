//! The letters the blog writes, each as an HTML part (from `views::mail`) and a
//! plain-text part with the same words, in the site's language, every link absolute.

use super::links::Signed;
use super::Letters;
use crate::content::SanitizedHtml;
use crate::db::outbox::Letter;
use crate::db::subscribers::Subscriber;
use crate::i18n::Text;
use crate::urls;
use crate::views::mail::{self as view, Footer};

impl Letters {
    fn text(&self) -> Text {
        Text::new(self.language)
    }

    /// The whole HTML mail around `content`.
    fn html(&self, content: maud::Markup, footer: Option<Footer>) -> String {
        view::letter(
            self.text(),
            &self.site_title,
            &self.url(&urls::index()),
            content,
            footer,
        )
    }

    /// A password reset link, asked for on the "forgot your password?" page.
    pub fn reset(&self, to: &str, url: &str) -> Letter {
        let t = self.text();
        let site: &dyn std::fmt::Display = &self.site_title;
        let paragraphs = [
            t.format("mail.reset_intro", &[("site", site)]),
            t.get("mail.reset_action").to_string(),
        ];
        let ignore = t.get("mail.reset_ignore");
        let button = t.get("mail.reset_button");
        let mut content = view::message_with_link(&paragraphs, button, url).into_string();
        content.push_str(&maud::html! { p { (ignore) } }.into_string());
        Letter {
            to: to.to_string(),
            kind: "reset",
            subject: t.format("mail.reset_subject", &[("site", site)]),
            text: format!(
                "{}\n\n{}\n\n{url}\n\n{ignore}\n",
                paragraphs[0], paragraphs[1]
            ),
            html: self.html(maud::PreEscaped(content), None),
            unsubscribe: None,
        }
    }

    /// An invitation to join with `role`, from the admin `inviter` (their name), whose
    /// link works once within `actions::invitations::LINK_DAYS`.
    pub fn invitation(
        &self,
        to: &str,
        url: &str,
        role: crate::content::Role,
        inviter: Option<&str>,
    ) -> Letter {
        let t = self.text();
        let site: &dyn std::fmt::Display = &self.site_title;
        let role_words = t.get(match role {
            crate::content::Role::Admin => "accounts.invited_as_admin",
            crate::content::Role::Author => "accounts.invited_as_author",
            crate::content::Role::Reader => "accounts.invited_as_reader",
        });
        let role: &dyn std::fmt::Display = &role_words;
        let intro = match inviter {
            Some(name) => {
                let name: &dyn std::fmt::Display = &name;
                t.format(
                    "mail.invitation_intro_by",
                    &[("site", site), ("role", role), ("name", name)],
                )
            }
            None => t.format("mail.invitation_intro", &[("site", site), ("role", role)]),
        };
        let paragraphs = [intro, t.get("mail.invitation_action").to_string()];
        let button = t.get("mail.invitation_button");
        let content = view::message_with_link(&paragraphs, button, url);
        Letter {
            to: to.to_string(),
            kind: "invitation",
            subject: t.format("mail.invitation_subject", &[("site", site)]),
            text: format!("{}\n\n{}\n\n{url}\n", paragraphs[0], paragraphs[1]),
            html: self.html(content, None),
            unsubscribe: None,
        }
    }

    /// A new comment on one of `to`'s posts, or one waiting for their approval.
    pub fn comment(&self, to: &str, notice: &CommentNotice) -> Letter {
        let t = self.text();
        let title: &dyn std::fmt::Display = &notice.post_title;
        let name: &dyn std::fmt::Display = &notice.commenter;
        let args = [("title", title), ("name", name)];
        let (subject, intro, button) = if notice.waiting {
            (
                "mail.comment_waiting_subject",
                "mail.comment_waiting_intro",
                "mail.comment_waiting_button",
            )
        } else {
            (
                "mail.comment_subject",
                "mail.comment_intro",
                "mail.comment_button",
            )
        };
        let intro = t.format(intro, &args);
        let button = t.get(button);
        let stop = self.url(&urls::unsubscribe(
            &Signed::CommentMails(notice.author).token(self.key()),
        ));
        let site: &dyn std::fmt::Display = &self.site_title;
        let why = t.format("mail.why_comments", &[("site", site)]);
        let stop_label = t.get("mail.stop_comments");
        let content = view::quoted(
            std::slice::from_ref(&intro),
            &notice.commenter,
            &notice.body,
            button,
            &notice.url,
        );
        Letter {
            to: to.to_string(),
            kind: "comment",
            subject: t.format(subject, &args),
            text: format!(
                "{intro}\n\n{}\n\n{}: {}\n\n-- \n{why}\n{stop_label}: {stop}\n",
                quote_text(&notice.body),
                button,
                notice.url
            ),
            html: self.html(
                content,
                Some(Footer {
                    why: &why,
                    stop_label,
                    stop_url: &stop,
                }),
            ),
            unsubscribe: Some(stop),
        }
    }

    /// The first mail to a new subscriber: the link that confirms (double opt-in).
    pub fn confirm(&self, to: &str, subscription: i64, author: Option<&str>) -> Letter {
        let t = self.text();
        let site: &dyn std::fmt::Display = &self.site_title;
        let (subject, intro) = match author {
            Some(author) => {
                let args: [(&str, &dyn std::fmt::Display); 2] =
                    [("site", site), ("author", &author)];
                (
                    t.format("mail.confirm_subject_author", &args),
                    t.format("mail.confirm_intro_author", &args),
                )
            }
            None => (
                t.format("mail.confirm_subject", &[("site", site)]),
                t.format("mail.confirm_intro", &[("site", site)]),
            ),
        };
        let url = self.url(&urls::confirm_subscription(
            &Signed::Confirm(subscription).token(self.key()),
        ));
        let ignore = t.get("mail.confirm_ignore").to_string();
        let button = t.get("mail.confirm_button");
        // Not confirming is enough to stop it, but a list client's "unsubscribe" should
        // work on this mail as on every other: it deletes the request.
        let stop = self.unsubscribe_url(subscription);
        let paragraphs = [intro.clone(), ignore.clone()];
        Letter {
            to: to.to_string(),
            kind: "subscribe",
            subject,
            text: format!("{intro}\n\n{button}: {url}\n\n{ignore}\n"),
            html: self.html(view::message_with_link(&paragraphs, button, &url), None),
            unsubscribe: Some(stop),
        }
    }

    /// A new post, whole, for a confirmed subscriber.
    pub fn post(&self, subscriber: &Subscriber, post: &PostLetter) -> Letter {
        let t = self.text();
        let site: &dyn std::fmt::Display = &self.site_title;
        let author: &dyn std::fmt::Display = &post.author;
        let byline = t.format("mail.post_byline", &[("author", author)]);
        let body = crate::views::syndication::absolute_urls(post.body.as_str(), &self.base_url);
        let read = t.get("mail.read_on_site");
        let stop = self.unsubscribe_url(subscriber.id);
        let why = match subscriber.author.is_some() {
            true => t.format(
                "mail.why_subscribed_author",
                &[("site", site), ("author", author)],
            ),
            false => t.format("mail.why_subscribed", &[("site", site)]),
        };
        let stop_label = t.get("mail.unsubscribe");
        let body_text = htmd::convert(&body).unwrap_or_else(|_| post.excerpt.clone());
        Letter {
            to: subscriber.email.clone(),
            kind: "post",
            subject: post.title.clone(),
            text: format!(
                "{}\n{byline}\n\n{body_text}\n\n{read}: {}\n\n-- \n{why}\n{stop_label}: {stop}\n",
                post.title, post.url
            ),
            html: self.html(
                view::post(&post.title, &post.url, &byline, &body, read),
                Some(Footer {
                    why: &why,
                    stop_label,
                    stop_url: &stop,
                }),
            ),
            unsubscribe: Some(stop),
        }
    }

    /// Tells an account of a security event (a login, a factor added or removed, …):
    /// its sentence (`key`) and what the audit row says of it (how, from where). Not a
    /// list: it cannot be unsubscribed from, as a bank's notices cannot.
    pub fn security(&self, to: &str, key: &str, detail: &str) -> Letter {
        let t = self.text();
        let what = t.get(key);
        let site: &dyn std::fmt::Display = &self.site_title;
        let when = jiff::Timestamp::now()
            .strftime("%Y-%m-%d %H:%M UTC")
            .to_string();
        let detail = match detail.is_empty() {
            true => when.clone(),
            false => format!("{when}, {detail}"),
        };
        let not_you = t.get("mail.security_not_you");
        let button = t.get("mail.security_button");
        let url = self.url(&urls::profile());
        let paragraphs = [what.to_string(), detail.clone(), not_you.to_string()];
        Letter {
            to: to.to_string(),
            kind: "security",
            subject: t.format("mail.security_subject", &[("site", site)]),
            text: format!("{what}\n\n{detail}\n\n{not_you}\n\n{button}: {url}\n"),
            html: self.html(view::message_with_link(&paragraphs, button, &url), None),
            unsubscribe: None,
        }
    }

    fn unsubscribe_url(&self, subscription: i64) -> String {
        self.url(&urls::unsubscribe(
            &Signed::Subscription(subscription).token(self.key()),
        ))
    }
}

/// What a comment notice says.
pub struct CommentNotice {
    /// The post's author, who gets it (and may stop these).
    pub author: crate::content::UserId,
    pub post_title: String,
    pub commenter: String,
    pub body: String,
    /// Waiting for moderation rather than shown.
    pub waiting: bool,
    /// Absolute: the comment under the post, or the moderation queue.
    pub url: String,
}

/// A new post as mailed.
pub struct PostLetter {
    pub title: String,
    pub author: String,
    /// Absolute.
    pub url: String,
    pub body: SanitizedHtml,
    pub excerpt: String,
}

/// Plain text quoted the way mail clients quote.
fn quote_text(text: &str) -> String {
    text.lines()
        .map(|line| format!("> {line}"))
        .collect::<Vec<_>>()
        .join("\n")
}
