//! What a person does through the pages, one call each: log in, find the CSRF token,
//! write, publish, edit, unpublish and delete a post.

use super::{Client, Page, LOGIN_FORM, NEW_POST_FORM};

impl Client {
    /// Whether `/` shows this browser the logout form of a signed-in user.
    pub fn is_signed_in(&self) -> bool {
        self.get("/").assert_status(200).is_signed_in()
    }

    /// Submits the login form; the page is whatever the server answered.
    pub fn login(&self, email: &str, password: &str) -> Page {
        self.get("/accounts/login")
            .assert_status(200)
            .form(LOGIN_FORM)
            .fill("email", email)
            .fill("password", password)
            .submit()
    }

    pub fn sign_in(&self, email: &str, password: &str) {
        self.login(email, password).assert_status(303);
        assert!(self.is_signed_in(), "{email} is signed in after login");
    }

    /// The CSRF token of this browser's session, read from a form on its pages.
    pub fn csrf_token(&self) -> String {
        let page = self.get("/");
        let page = if page.has("input[name=csrf_token]") {
            page
        } else {
            self.get("/accounts/login")
        };
        page.select("input[name=csrf_token]")
            .first()
            .and_then(|input| input.attr("value").map(str::to_owned))
            .expect("a page with a csrf_token input")
    }

    /// Writes a new post through `/posts/new`; answers its slug (decoded).
    pub fn create_post(&self, title: &str, body: &str) -> String {
        let page = self
            .get("/posts/new")
            .assert_status(200)
            .form(NEW_POST_FORM)
            .fill("title", title)
            .fill("body", body)
            .fill("tags", "")
            .submit()
            .assert_status(303);
        let location = page.location_decoded();
        location
            .strip_prefix("/posts/")
            .unwrap_or_else(|| panic!("a new post leads to /posts/{{slug}}, not {location}"))
            .to_owned()
    }

    /// Presses the button of the post page's form for `/posts/{slug}/{action}`.
    pub fn post_action(&self, slug: &str, action: &str) -> Page {
        self.get(&format!("/posts/{slug}"))
            .assert_status(200)
            .form(&format!("form[action=\"/posts/{slug}/{action}\"]"))
            .submit()
    }

    pub fn publish(&self, slug: &str) {
        let page = self.post_action(slug, "publish").assert_status(303);
        assert_eq!(page.location_decoded(), format!("/posts/{slug}"));
    }

    /// Changes one field of a post through its edit form; returns the answer.
    pub fn edit_post(&self, slug: &str, field: &str, value: &str) -> Page {
        self.get(&format!("/posts/{slug}/edit"))
            .assert_status(200)
            .form(&format!("form[action=\"/posts/{slug}/edit\"]"))
            .fill(field, value)
            .submit()
    }

    /// Deletes a post the way a browser does: the confirmation page, then its form.
    pub fn delete_post(&self, slug: &str) -> Page {
        self.get(&format!("/posts/{slug}/delete"))
            .assert_status(200)
            .form(&format!(
                "form[action=\"/posts/{slug}/delete\"][method=\"post\"]"
            ))
            .submit()
    }

    /// Opens a confirmation page (`/comments/7/delete`, `/posts/x/comments/close`) and
    /// presses its one button, as someone who read it and said yes.
    #[track_caller]
    pub fn confirm(&self, path: &str) -> Page {
        self.get(path)
            .assert_status(200)
            .form(".confirm form[method=\"post\"]")
            .submit()
    }

    pub fn unpublish(&self, slug: &str) {
        let page = self.post_action(slug, "unpublish").assert_status(303);
        assert_eq!(page.location_decoded(), format!("/posts/{slug}"));
    }
}
