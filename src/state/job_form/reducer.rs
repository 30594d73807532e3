//! The form as a yew reducer: each [`FormEdit`] is one step from the previous form to the next,
//! so the dialog holds its form with `use_reducer`. Only yew's `Reducible` trait is used here; no
//! DOM, so it is tested natively.

use std::rc::Rc;

use yew::Reducible;

use super::{FormEdit, JobForm};

impl Reducible for JobForm {
    type Action = FormEdit;

    fn reduce(self: Rc<Self>, edit: FormEdit) -> Rc<Self> {
        let mut next = Rc::unwrap_or_clone(self);
        next.apply(edit);
        Rc::new(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::job_form::CHUNK_ROWS;

    #[test]
    fn reduce_applies_the_edit_and_leaves_the_previous_form_alone() {
        let before = Rc::new(JobForm::default());
        let after = before.clone().reduce(FormEdit::Text {
            field: CHUNK_ROWS,
            value: "42".into(),
        });
        assert_eq!(after.chunk_rows, "42");
        assert_eq!(
            before.chunk_rows, "",
            "a shared form is copied, not changed"
        );
        let mut expected = JobForm::default();
        expected.apply(FormEdit::Text {
            field: CHUNK_ROWS,
            value: "42".into(),
        });
        assert_eq!(*after, expected);
    }
}
