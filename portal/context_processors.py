"""Navigation by role for base.html."""


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_role": "anonymous"}
    if user.is_staff:
        role = "staff"
    elif user.reseller_id:
        role = "reseller"
    else:
        role = "customer"
    return {"nav_role": role}
