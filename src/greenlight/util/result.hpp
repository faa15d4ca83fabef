// Result<T, E>: a value or an error (by default a message), for operations that can fail on input or I/O.
#pragma once

#include <concepts>
#include <string>
#include <utility>
#include <variant>

namespace greenlight::util {

// An error a user will read: what went wrong and, where known, where.
struct Error {
    std::string message;
};

inline Error make_error(std::string message) {
    return Error{std::move(message)};
}

// An error type whose text a caller may read as `message` without knowing the type.
template <typename E>
concept HasMessage = std::same_as<decltype(E::message), std::string>;

// A value of T or an error of E; parsers that know where input went wrong carry that in E.
template <typename T, typename E = Error>
class [[nodiscard]] Result {
public:
    Result(T value) : m_state(std::in_place_index<0>, std::move(value)) {}
    Result(E error) : m_state(std::in_place_index<1>, std::move(error)) {}

    bool ok() const { return m_state.index() == 0; }
    explicit operator bool() const { return ok(); }

    T& value() & { return std::get<0>(m_state); }
    const T& value() const& { return std::get<0>(m_state); }
    T&& value() && { return std::get<0>(std::move(m_state)); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }

    T value_or(T fallback) const& { return ok() ? value() : std::move(fallback); }

    const E& error() const { return std::get<1>(m_state); }
    const std::string& message() const requires HasMessage<E> { return error().message; }

private:
    std::variant<T, E> m_state;
};

// Success carries nothing; only the error has content (a default E on success, so error() is always safe to read).
template <typename E>
class [[nodiscard]] Result<void, E> {
public:
    Result() = default;
    Result(E error) : m_error(std::move(error)), m_failed(true) {}

    bool ok() const { return !m_failed; }
    explicit operator bool() const { return ok(); }
    const E& error() const { return m_error; }
    const std::string& message() const requires HasMessage<E> { return m_error.message; }

private:
    E m_error{};
    bool m_failed = false;
};

using Status = Result<void>;

}  // namespace greenlight::util
